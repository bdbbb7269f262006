import AuthService
import Logging
import Testing

@testable import authd

/// How flags, `AUTHD_*` variables and the settings types' defaults combine into `Settings`, in process.
@Suite struct SettingsTests {
    private func settings(_ arguments: [String] = [], _ variables: [String: String] = [:]) throws -> Settings {
        try Settings(Options.parse(arguments), environment: Environment(variables))
    }

    @Test func withNeitherFlagNorVariableEachSettingIsItsTypesDefault() throws {
        let settings = try settings()
        #expect(settings.listener == ListenerSettings())
        #expect(settings.log == LogSettings())
        #expect(settings.cookie.secure == SessionCookie().secure)
        let auth = AuthConfiguration()
        #expect(settings.auth.databasePath == auth.databasePath)
        #expect(settings.auth.bcryptCost == auth.bcryptCost)
        #expect(settings.auth.hashThreads == auth.hashThreads)
        #expect(settings.auth.hashQueueLimit == auth.hashQueueLimit)
        #expect(settings.auth.busyTimeoutMilliseconds == auth.busyTimeoutMilliseconds)
        #expect(settings.auth.sessionLifetime == auth.sessionLifetime)
        #expect(settings.auth.resetTokenLifetime == auth.resetTokenLifetime)
        #expect(settings.auth.throttling.window == auth.throttling.window)
        let server = ServerSettings()
        #expect(settings.server.limits == server.limits)
        #expect(settings.server.requestTimeoutMilliseconds == server.requestTimeoutMilliseconds)
        #expect(settings.server.idleTimeoutMilliseconds == server.idleTimeoutMilliseconds)
        #expect(settings.server.writeTimeoutMilliseconds == server.writeTimeoutMilliseconds)
        #expect(settings.server.shutdownGraceMilliseconds == server.shutdownGraceMilliseconds)
    }

    @Test func theDefaultsAreTheDocumentedOnes() {
        let listener = ListenerSettings()
        #expect(listener.host == "127.0.0.1" && listener.port == 5000)
        #expect(listener.adminHost == "127.0.0.1" && listener.adminPort == nil)
        #expect(LogSettings().level == .info && LogSettings().accessLog)
        let server = ServerSettings()
        #expect(server.limits.maxBodyBytes == 65536)
        #expect(server.requestTimeoutMilliseconds == 10_000 && server.idleTimeoutMilliseconds == 60_000)
        #expect(server.writeTimeoutMilliseconds == 30_000 && server.shutdownGraceMilliseconds == 10_000)
        #expect(server.clients.trustedProxies.isEmpty && !server.clients.proxyProtocol)
        #expect(server.clients.throttleExempt == [AddressRange("127.0.0.1")!, AddressRange("::1")!])
    }

    // MARK: client identity

    @Test func trustedProxiesAreRepeatableAndCommaSeparatedAsFlagsAndAVariable() throws {
        let expected = ["10.0.0.0/8", "127.0.0.1", "::1"].map { AddressRange($0)! }
        #expect(
            try settings(["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1,::1"]).server.clients
                .trustedProxies == expected)
        #expect(
            try settings([], ["AUTHD_TRUSTED_PROXY": "10.0.0.0/8, 127.0.0.1,::1"]).server.clients.trustedProxies
                == expected)
        // The flags replace the variable's list rather than adding to it.
        #expect(
            try settings(["--trusted-proxy", "::1"], ["AUTHD_TRUSTED_PROXY": "10.0.0.0/8"]).server.clients
                .trustedProxies
                == [AddressRange("::1")!])
    }

    @Test func allowedOriginsAreNormalizedRepeatableAndRefusedWhenNotAnOrigin() throws {
        let expected = ["https://app.example.com", "http://localhost:8080"]
        #expect(
            try settings([
                "--allowed-origin", "HTTPS://App.Example.com:443/", "--allowed-origin", "http://localhost:8080",
            ])
            .crossSite.allowedOrigins == expected)
        #expect(
            try settings([], ["AUTHD_ALLOWED_ORIGIN": "https://app.example.com, http://localhost:8080"]).crossSite
                .allowedOrigins == expected)
        #expect(try settings().crossSite.allowedOrigins.isEmpty)
        for text in ["app.example.com", "https://app.example.com/login", "ftp://app.example.com", "https://", "null"] {
            #expect(throws: (any Error).self, "\(text)") { try settings(["--allowed-origin", text]) }
        }
    }

    @Test func throttleExemptReplacesTheDefaultAndNoneTurnsItOff() throws {
        #expect(
            try settings(["--throttle-exempt", "192.0.2.0/24"]).server.clients.throttleExempt == [
                AddressRange("192.0.2.0/24")!
            ])
        #expect(try settings(["--throttle-exempt", "none"]).server.clients.throttleExempt.isEmpty)
        #expect(try settings([], ["AUTHD_THROTTLE_EXEMPT": "NONE"]).server.clients.throttleExempt.isEmpty)
        #expect(
            try settings(["--throttle-exempt", "none", "--throttle-exempt", "::1"]).server.clients.throttleExempt
                == [AddressRange("::1")!])
        // An empty variable counts as unset, so it keeps the default; `none` is the way to say none.
        #expect(
            try settings([], ["AUTHD_THROTTLE_EXEMPT": ""]).server.clients.throttleExempt
                == ClientSettings().throttleExempt)
    }

    @Test func proxyProtocolIsAFlagAndAnOnOffVariable() throws {
        #expect(try settings(["--proxy-protocol", "--trusted-proxy", "127.0.0.1"]).server.clients.proxyProtocol)
        #expect(
            try settings([], ["AUTHD_PROXY_PROTOCOL": "on", "AUTHD_TRUSTED_PROXY": "127.0.0.1"]).server.clients
                .proxyProtocol)
        #expect(try !settings([], ["AUTHD_PROXY_PROTOCOL": "off"]).server.clients.proxyProtocol)
    }

    @Test func theProxyProtocolNeedsATrustedProxy() {
        let refusal = ConfigurationError.invalidSetting(
            "--proxy-protocol", value: "on", rule: "needs --trusted-proxy: only a trusted proxy may name the client")
        #expect(throws: refusal) { try settings(["--proxy-protocol"]) }
        #expect(throws: refusal) { try settings(["--proxy-protocol", "--trusted-proxy", "none"]) }
    }

    @Test(arguments: ["10.0.0.1/8", "10.0.0.0/8,", "proxy.example.com", "127.0.0.1;::1", "[::1]"])
    func anUnreadableAddressListIsRefusedAsFlagAndAsVariable(text: String) {
        #expect {
            try settings([], ["AUTHD_TRUSTED_PROXY": text])
        } throws: { error in
            guard let error = error as? ConfigurationError,
                case .unreadableVariable("AUTHD_TRUSTED_PROXY", value: text, _) = error
            else {
                return false
            }
            return error.description.hasPrefix("AUTHD_TRUSTED_PROXY='\(text)' is not addresses or CIDR blocks")
        }
        #expect(throws: (any Error).self) { try settings(["--throttle-exempt", text]) }
    }

    @Test func aFlagOverridesItsVariableWhichOverridesTheDefault() throws {
        #expect(try settings([], ["AUTHD_BCRYPT_COST": "10"]).auth.bcryptCost == 10)
        #expect(try settings(["--bcrypt-cost", "6"], ["AUTHD_BCRYPT_COST": "10"]).auth.bcryptCost == 6)
        #expect(try settings(["--port", "7"], ["AUTHD_PORT": "8"]).listener.port == 7)
        #expect(
            try settings(["--session-ttl", "2h"], ["AUTHD_SESSION_TTL": "1h"]).auth.sessionLifetime
                == Lifetime(seconds: 7200))
        // The flag wins even over a variable that would be refused: the variable is not read.
        #expect(try settings(["--hash-queue", "3"], ["AUTHD_HASH_QUEUE": "many"]).auth.hashQueueLimit == 3)
    }

    @Test func everyVariableReachesItsSetting() throws {
        let settings = try settings(
            [],
            [
                "AUTHD_HOST": "::1", "AUTHD_PORT": "6000", "AUTHD_DATABASE": "/tmp/x.db", "AUTHD_BCRYPT_COST": "5",
                "AUTHD_HASH_THREADS": "3", "AUTHD_HASH_QUEUE": "7", "AUTHD_LOG_LEVEL": "debug",
                "AUTHD_REQUEST_TIMEOUT": "11", "AUTHD_IDLE_TIMEOUT": "12", "AUTHD_MAX_BODY": "13",
                "AUTHD_SHUTDOWN_GRACE": "14", "AUTHD_WRITE_TIMEOUT": "15", "AUTHD_BUSY_TIMEOUT_MS": "16",
                "AUTHD_SESSION_TTL": "1d", "AUTHD_RESET_TOKEN_TTL": "2m", "AUTHD_LOGIN_FAILURE_LIMIT": "17",
                "AUTHD_ADDRESS_FAILURE_LIMIT": "18", "AUTHD_ADDRESS_REQUEST_LIMIT": "19", "AUTHD_THROTTLE_WINDOW": "1h",
                "AUTHD_THROTTLE_BACKOFF": "20s", "AUTHD_ADMIN_PORT": "6001", "AUTHD_ADMIN_HOST": "0.0.0.0",
                "AUTHD_NO_ACCESS_LOG": "yes", "AUTHD_COOKIE_SECURE": "true",
            ])
        #expect(settings.listener == ListenerSettings(host: "::1", port: 6000, adminHost: "0.0.0.0", adminPort: 6001))
        #expect(settings.auth.databasePath == "/tmp/x.db")
        #expect(settings.auth.bcryptCost == 5)
        #expect(settings.auth.hashThreads == 3)
        #expect(settings.auth.hashQueueLimit == 7)
        #expect(settings.log == LogSettings(level: .debug, accessLog: false))
        #expect(settings.server.requestTimeoutMilliseconds == 11_000)
        #expect(settings.server.idleTimeoutMilliseconds == 12_000)
        #expect(settings.server.limits.maxBodyBytes == 13)
        #expect(settings.server.shutdownGraceMilliseconds == 14_000)
        #expect(settings.server.writeTimeoutMilliseconds == 15_000)
        #expect(settings.auth.busyTimeoutMilliseconds == 16)
        #expect(settings.auth.sessionLifetime == Lifetime(seconds: 86_400))
        #expect(settings.auth.resetTokenLifetime == Lifetime(seconds: 120))
        #expect(settings.auth.throttling.emailFailureLimit == 17)
        #expect(settings.auth.throttling.addressFailureLimit == 18)
        #expect(settings.auth.throttling.addressRequestLimit == 19)
        #expect(settings.auth.throttling.window == Lifetime(seconds: 3600))
        #expect(settings.auth.throttling.backoff == Lifetime(seconds: 20))
        #expect(settings.cookie.secure)
    }

    @Test func onOffVariablesSayEitherAndTheirFlagsSayYes() throws {
        #expect(try settings([], ["AUTHD_NO_ACCESS_LOG": "1"]).log.accessLog == false)
        #expect(try settings([], ["AUTHD_NO_ACCESS_LOG": "OFF"]).log.accessLog == true)
        #expect(try settings(["--no-access-log"], ["AUTHD_NO_ACCESS_LOG": "0"]).log.accessLog == false)
        #expect(try settings([], ["AUTHD_COOKIE_SECURE": "no"]).cookie.secure == false)
        #expect(try settings(["--cookie-secure"], ["AUTHD_COOKIE_SECURE": "false"]).cookie.secure == true)
        #expect(try settings([], [:]).server.publicMetrics == false)
        #expect(try settings([], ["AUTHD_PUBLIC_METRICS": "yes"]).server.publicMetrics == true)
        #expect(try settings(["--public-metrics"], ["AUTHD_PUBLIC_METRICS": "0"]).server.publicMetrics == true)
    }

    @Test func anEmptyVariableCountsAsUnset() throws {
        #expect(
            try settings([], ["AUTHD_PORT": "", "AUTHD_COOKIE_SECURE": ""]).listener.port == ListenerSettings().port)
    }

    @Test(arguments: [
        ("AUTHD_PORT", "abc", "AUTHD_PORT='abc' is not a whole number"),
        ("AUTHD_HASH_QUEUE", "1.5", "AUTHD_HASH_QUEUE='1.5' is not a whole number"),
        (
            "AUTHD_COOKIE_SECURE", "maybe",
            "AUTHD_COOKIE_SECURE='maybe' is not on or off: 1, true, yes, on, 0, false, no or off"
        ),
        ("AUTHD_NO_ACCESS_LOG", "2", "AUTHD_NO_ACCESS_LOG='2' is not on or off: 1, true, yes, on, 0, false, no or off"),
        (
            "AUTHD_SESSION_TTL", "15 minutes",
            "AUTHD_SESSION_TTL='15 minutes' is not a duration: a positive number of seconds, or with s, m, h or d"
        ),
        (
            "AUTHD_LOG_LEVEL", "loud",
            "AUTHD_LOG_LEVEL='loud' is not one of trace, debug, info, notice, warning, error, critical"
        ),
    ])
    func anUnreadableVariableIsRefusedNamingItAndWhatWasExpected(variable: String, value: String, message: String) {
        #expect {
            try settings([], [variable: value])
        } throws: { error in
            guard let error = error as? ConfigurationError, case .unreadableVariable(variable, value: value, _) = error
            else { return false }
            return error.description == message
        }
    }

    @Test func aVariableOutOfRangeIsRefusedByTheRuleOfItsType() {
        #expect(throws: AuthStartupError.bcryptCostOutOfRange(40)) { try settings([], ["AUTHD_BCRYPT_COST": "40"]) }
        #expect(throws: AuthStartupError.hashQueueLimitOutOfRange(0)) { try settings([], ["AUTHD_HASH_QUEUE": "0"]) }
        #expect(throws: ConfigurationError.invalidSetting("--port", value: "65536", rule: "must be within 0...65535")) {
            try settings([], ["AUTHD_PORT": "65536"])
        }
    }

    @Test func theResetMailSettingsComeFromTheirFlagsAndVariables() throws {
        #expect(try settings().auth.resetDelivery == .response)
        #expect(try settings().auth.resetMail == ResetMailSettings())
        let flags = try settings(
            [
                "--reset-delivery", "smtp://127.0.0.1:2525", "--mail-from", "noreply@app.test",
                "--reset-link", "https://app.test/r?t={token}", "--smtp-timeout", "3s",
            ], ["AUTHD_RESET_DELIVERY": "response", "AUTHD_MAIL_FROM": "other@app.test"])
        #expect(flags.auth.resetDelivery == .smtp(host: "127.0.0.1", port: 2525))
        #expect(
            flags.auth.resetMail
                == ResetMailSettings(
                    from: "noreply@app.test", linkTemplate: "https://app.test/r?t={token}",
                    timeout: Lifetime(seconds: 3)))
        let variables = try settings(
            [],
            [
                "AUTHD_RESET_DELIVERY": "smtp://[::1]", "AUTHD_MAIL_FROM": "a@b.test", "AUTHD_RESET_LINK": "x:{token}",
                "AUTHD_SMTP_TIMEOUT": "1m",
            ])
        #expect(variables.auth.resetDelivery == .smtp(host: "::1", port: 25))
        #expect(
            variables.auth.resetMail
                == ResetMailSettings(from: "a@b.test", linkTemplate: "x:{token}", timeout: Lifetime(seconds: 60)))
    }

    @Test func badResetMailSettingsAreRefusedNamingTheSetting() {
        #expect(
            throws: ConfigurationError.unreadableVariable(
                "AUTHD_RESET_DELIVERY", value: "smtp://host:0", expected: "response or smtp://HOST:PORT")
        ) {
            try settings([], ["AUTHD_RESET_DELIVERY": "smtp://host:0"])
        }
        #expect(throws: AuthStartupError.resetLinkInvalid("https://app.test/", rule: "must contain {token}")) {
            try settings(["--reset-link", "https://app.test/"])
        }
        #expect(throws: AuthStartupError.mailFromInvalid("not an address")) {
            try settings(["--mail-from", "not an address"])
        }
    }

    @Test func listenerPortsMustBePorts() throws {
        try ListenerSettings(port: 0, adminPort: 65535).validate()
        #expect(
            throws: ConfigurationError.invalidSetting("--admin-port", value: "70000", rule: "must be within 0...65535")
        ) {
            try ListenerSettings(adminPort: 70000).validate()
        }
        #expect(
            ConfigurationError.invalidSetting("--port", value: "-1", rule: "must be within 0...65535").description
                == "--port -1 must be within 0...65535")
    }

    @Test func serverTimeoutsMustBeLongerThanZeroAndSizesNotNegative() throws {
        try ServerSettings().validate()
        var grace = ServerSettings()
        grace.shutdownGraceMilliseconds = 0
        try grace.validate()

        #expect(
            throws: ConfigurationError.invalidSetting("--request-timeout", value: "0 s", rule: "must be longer than 0")
        ) {
            try settings(["--request-timeout", "0"])
        }
        #expect(
            throws: ConfigurationError.invalidSetting("--idle-timeout", value: "-2 s", rule: "must be longer than 0")
        ) {
            try settings(["--idle-timeout=-2"])
        }
        #expect(
            throws: ConfigurationError.invalidSetting("--write-timeout", value: "0 s", rule: "must be longer than 0")
        ) {
            try settings([], ["AUTHD_WRITE_TIMEOUT": "0"])
        }
        #expect(throws: ConfigurationError.invalidSetting("--max-body", value: "-1", rule: "must not be negative")) {
            try settings(["--max-body=-1"])
        }
        #expect(
            throws: ConfigurationError.invalidSetting("--shutdown-grace", value: "-1 s", rule: "must not be negative")
        ) {
            try settings(["--shutdown-grace=-1"])
        }
    }

    @Test func secondsTooLargeToCountInMillisecondsAreRefused() {
        #expect(
            throws: ConfigurationError.invalidSetting("--request-timeout", value: "\(Int.max) s", rule: "is too long")
        ) {
            try settings(["--request-timeout", "\(Int.max)"])
        }
    }

    @Test func systemdNumbersThatCannotBeReadAreIgnoredNotRefused() {
        let environment = Environment(["LISTEN_FDS": "x", "WATCHDOG_USEC": "200000"])
        #expect(environment.systemdNumber("LISTEN_FDS") == nil)
        #expect(environment.systemdNumber("WATCHDOG_USEC") == 200_000)
    }
}
