/// The portal's pages, server-rendered, no script: each a small form with labels and the
/// `autocomplete` names password managers understand. Values only through `HTMLWriter.text`.
enum PortalPage {
    /// A message shown above a form: an error (read out at once by screen readers) or a notice.
    enum Message {
        case error(String)
        case notice(String)
    }

    /// `<!doctype html>` … `<main>` with `title` as the page's title and heading, `body`, then the end.
    static func page(_ title: StaticString, _ message: Message? = nil, _ body: (inout HTMLWriter) -> Void) -> [UInt8] {
        var html = HTMLWriter()
        html.markup(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>
            """)
        html.markup(title)
        html.markup("</title></head>\n<body><main>\n<h1>")
        html.markup(title)
        html.markup("</h1>\n")
        switch message {
        case .error(let text)?:
            html.markup("<p role=\"alert\" id=\"message\">")
            html.text(text)
            html.markup("</p>\n")
        case .notice(let text)?:
            html.markup("<p role=\"status\" id=\"message\">")
            html.text(text)
            html.markup("</p>\n")
        case nil:
            break
        }
        body(&html)
        html.markup("</main></body></html>\n")
        return html.bytes
    }

    /// An email field; `autocomplete` names it for password managers (`username` on login forms).
    static func emailField(_ html: inout HTMLWriter, value: String, autocomplete: StaticString = "username") {
        html.markup("<p><label for=\"email\">Email</label><br>")
        html.markup("<input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"")
        html.markup(autocomplete)
        html.markup("\" value=\"")
        html.text(value)
        html.markup("\"></p>\n")
    }

    /// A password field: `current-password` to log in, `new-password` to choose one.
    static func passwordField(_ html: inout HTMLWriter, name: StaticString, label: StaticString, new: Bool) {
        html.markup("<p><label for=\"")
        html.markup(name)
        html.markup("\">")
        html.markup(label)
        html.markup("</label><br><input id=\"")
        html.markup(name)
        html.markup("\" name=\"")
        html.markup(name)
        html.markup(
            new
                ? "\" type=\"password\" required autocomplete=\"new-password\"></p>\n"
                : "\" type=\"password\" required autocomplete=\"current-password\"></p>\n")
    }

    /// The start of a form that posts to `action`.
    static func form(_ html: inout HTMLWriter, action: StaticString) {
        html.markup("<form method=\"post\" action=\"")
        html.markup(action)
        html.markup("\">\n")
    }

    /// A link to one of the portal's pages.
    static func link(_ html: inout HTMLWriter, _ path: StaticString, _ text: StaticString) {
        html.markup("<a href=\"")
        html.markup(path)
        html.markup("\">")
        html.markup(text)
        html.markup("</a>")
    }

    /// A hidden field carrying `value`.
    static func hidden(_ html: inout HTMLWriter, name: StaticString, value: String) {
        html.markup("<input type=\"hidden\" name=\"")
        html.markup(name)
        html.markup("\" value=\"")
        html.text(value)
        html.markup("\">\n")
    }

    /// The login form; `rd` travels with it to the login's answer.
    static func login(email: String = "", rd: String?, _ message: Message? = nil) -> [UInt8] {
        page("Log in", message) { html in
            form(&html, action: PortalPath.login)
            if let rd { hidden(&html, name: "rd", value: rd) }
            emailField(&html, value: email)
            passwordField(&html, name: "password", label: "Password", new: false)
            html.markup("<p><button type=\"submit\">Log in</button></p>\n</form>\n")
            html.markup("<p>")
            link(&html, PortalPath.signup, "Create an account")
            html.markup(" · ")
            link(&html, PortalPath.reset, "Forgot your password?")
            html.markup("</p>\n")
        }
    }

    /// The sign-up form.
    static func signup(email: String = "", _ message: Message? = nil) -> [UInt8] {
        page("Create an account", message) { html in
            form(&html, action: PortalPath.signup)
            emailField(&html, value: email)
            passwordField(&html, name: "password", label: "Password", new: true)
            html.markup("<p><button type=\"submit\">Create the account</button></p>\n</form>\n")
            html.markup("<p>")
            link(&html, PortalPath.login, "Log in")
            html.markup("</p>\n")
        }
    }

    /// The form that asks for a reset mail, or, when tokens are not sent by mail, why there is none.
    static func reset(byMail: Bool, email: String = "", _ message: Message? = nil) -> [UInt8] {
        page("Reset your password", message) { html in
            guard byMail else {
                html.markup(
                    "<p id=\"unavailable\">Password resets need mail delivery, which this service does not have: ask its operator.</p>\n"
                )
                html.markup("<p>")
                link(&html, PortalPath.login, "Log in")
                html.markup("</p>\n")
                return
            }
            form(&html, action: PortalPath.reset)
            emailField(&html, value: email)
            html.markup("<p><button type=\"submit\">Send the reset mail</button></p>\n</form>\n")
            html.markup("<p>")
            link(&html, PortalPath.login, "Log in")
            html.markup("</p>\n")
        }
    }

    /// The form the reset mail's link opens: a new password for the token it carries.
    static func resetConfirm(email: String, token: String, _ message: Message? = nil) -> [UInt8] {
        page("Choose a new password", message) { html in
            form(&html, action: PortalPath.resetConfirm)
            hidden(&html, name: "reset_token", value: token)
            emailField(&html, value: email)
            passwordField(&html, name: "new_password", label: "New password", new: true)
            html.markup("<p><button type=\"submit\">Change the password</button></p>\n</form>\n")
        }
    }
}
