extension PortalPage {
    /// The code step of a login: a code of the app, or else a recovery code.
    static func loginCode(rd: String?, _ message: Message? = nil) -> [UInt8] {
        page("Two-factor authentication", message) { html in
            form(&html, action: PortalPath.loginCode)
            if let rd { hidden(&html, name: "rd", value: rd) }
            codeField(&html)
            html.markup(
                """
                <p><label for="recovery_code">Or a recovery code</label><br>\
                <input id="recovery_code" name="recovery_code" type="text" autocomplete="off" \
                spellcheck="false"></p>
                <p><button type="submit">Continue</button></p>
                </form>

                """)
            form(&html, action: PortalPath.logout)
            html.markup("<p><button type=\"submit\" id=\"logout\">Log out</button></p>\n</form>\n")
        }
    }

    /// The account page's second-factor part: the form that turns TOTP on, or, when it is on, the
    /// one that turns it off.
    static func secondFactorSection(_ html: inout HTMLWriter, enabled: Bool) {
        html.markup("<h2>Two-factor authentication</h2>\n")
        if enabled {
            html.markup("<p id=\"totp-status\">On: a login asks for a code of your authenticator app.</p>\n")
            form(&html, action: PortalPath.accountTOTPDisable)
            passwordField(&html, name: "password", label: "Password", new: false)
            html.markup("<p><button type=\"submit\">Turn off</button></p>\n</form>\n")
        } else {
            html.markup("<p id=\"totp-status\">Off: a login asks for the password alone.</p>\n")
            form(&html, action: PortalPath.accountTOTP)
            passwordField(&html, name: "password", label: "Password", new: false)
            html.markup("<p><button type=\"submit\">Set up</button></p>\n</form>\n")
        }
    }

    /// A new secret, as a QR code and as text, and the form that turns it on with a first code;
    /// without one (a wrong first code), the form alone.
    static func totpEnrolment(_ enrolment: TOTPEnrolment?, _ message: Message? = nil) -> [UInt8] {
        page("Set up two-factor authentication", message) { html in
            if let enrolment {
                html.markup("<p>Scan this code with an authenticator app, or type the secret below into it.</p>\n")
                html.markup("<div id=\"totp-qr\">")
                html.qrCode(of: enrolment)
                html.markup("</div>\n<p>Secret: <code id=\"totp-secret\">")
                html.text(enrolment.secret)
                html.markup("</code></p>\n")
            }
            form(&html, action: PortalPath.accountTOTPConfirm)
            codeField(&html)
            html.markup("<p><button type=\"submit\">Turn on</button></p>\n</form>\n<p>")
            link(&html, PortalPath.account, "Back to your account")
            html.markup("</p>\n")
        }
    }

    /// The recovery codes, shown this once, with the warning that says so.
    static func recoveryCodes(_ codes: [String]) -> [UInt8] {
        page("Recovery codes") { html in
            html.markup(
                """
                <p role="alert" id="recovery-warning"><strong>Save these codes now: this page is the only \
                time they are shown.</strong> Each works once, in place of a code, if you lose your \
                authenticator app.</p>
                <ol id="recovery-codes">
                """)
            for code in codes {
                html.markup("<li><code>")
                html.text(code)
                html.markup("</code></li>")
            }
            html.markup("</ol>\n<p>")
            link(&html, PortalPath.account, "Back to your account")
            html.markup("</p>\n")
        }
    }

    /// A second-factor form's failure, with a way back to the account.
    static func secondFactorFailure(_ message: Message) -> [UInt8] {
        page("Two-factor authentication", message) { html in
            html.markup("<p>")
            link(&html, PortalPath.account, "Back to your account")
            html.markup("</p>\n")
        }
    }

    /// A 6-digit code field, named so browsers and password managers offer a one-time code.
    private static func codeField(_ html: inout HTMLWriter) {
        html.markup(
            """
            <p><label for="code">Code of your authenticator app</label><br>\
            <input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" \
            autocomplete="one-time-code"></p>

            """)
    }
}
