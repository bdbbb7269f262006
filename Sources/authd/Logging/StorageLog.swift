import AuthService
import Logging

/// One log line per storage episode: when the health changes, not per refused request.
enum StorageLog {
    static func change(from: StoreHealth, to: StoreHealth, logger: Logger) {
        switch to {
        case .serving:
            logger.notice("storage serving again", metadata: ["after": "\(from.name)"])
        case .lost:
            logger.critical(
                """
                storage lost: the database file was removed or replaced while open; writes are refused \
                and no new database is made until authd is restarted with the file back in place
                """)
        case .full, .readOnly, .unavailable:
            logger.error("storage fault: writes refused with 503 until it clears", metadata: ["health": "\(to.name)"])
        }
    }
}
