/// The paths of the gate and the portal: the route table, the redirects and the pages' markup
/// read them here. Static strings, so the pages' `HTMLWriter` takes them as markup.
enum PortalPath {
    static let verify: StaticString = "/verify"
    static let verifyRedirecting: StaticString = "/verify/redirect"
    static let login: StaticString = "/login"
    static let signup: StaticString = "/signup"
    static let reset: StaticString = "/reset"
    static let resetConfirm: StaticString = "/reset/confirm"
    static let account: StaticString = "/account"
    /// The code step of a login whose session waits for the second factor.
    static let loginCode: StaticString = "/login/2fa"
    static let accountTOTP: StaticString = "/account/2fa"
    static let accountTOTPConfirm: StaticString = "/account/2fa/confirm"
    static let accountTOTPDisable: StaticString = "/account/2fa/disable"
    static let logout: StaticString = "/logout"
    static let logoutEverywhere: StaticString = "/logout/everywhere"
    static let revoke: StaticString = "/account/revoke"
}

extension GateConfiguration {
    /// `link(_:)` for one of the portal's paths.
    func link(_ path: StaticString) -> String {
        link(path.description)
    }
}
