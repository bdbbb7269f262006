import AuthService
import Logging

/// The start-up line that says where reset tokens go; a warning for the seed's way.
enum ResetDeliveryLog {
    static func starting(_ auth: AuthConfiguration, logger: Logger) {
        switch auth.resetDelivery {
        case .response:
            logger.warning(
                """
                reset tokens go to whoever asks: POST /reset_password answers with the token, so anyone who knows an \
                email can take its account over (the seed's behaviour); send them by mail with \
                --reset-delivery smtp://HOST:PORT
                """)
        case .smtp:
            logger.info(
                "reset tokens go by mail",
                metadata: [
                    "relay": "\(auth.resetDelivery)", "from": "\(auth.resetMail.from)",
                    "link": "\(auth.resetMail.linkTemplate ?? "none: the mail carries the token")",
                ])
        }
    }
}
