import HTTPParser

extension PortalPage {
    /// The account: who is logged in, the user's sessions (newest first) with a form that revokes
    /// each other one, the second factor (when the service offers one), and the forms that log out
    /// here or everywhere.
    static func account(
        email: String, sessions: [ListedSession], secondFactor: SecondFactorState = .unavailable,
        _ message: Message? = nil
    ) -> [UInt8] {
        page("Your account", message) { html in
            html.markup("<p>Logged in as <strong id=\"account-email\">")
            html.text(email)
            html.markup("</strong>.</p>\n")
            if secondFactor != .unavailable { secondFactorSection(&html, enabled: secondFactor == .enabled) }
            html.markup("<h2 id=\"sessions-heading\">Sessions</h2>\n")
            html.markup("<table id=\"sessions\" aria-labelledby=\"sessions-heading\">\n<thead><tr>")
            html.markup("<th scope=\"col\">Started (UTC)</th><th scope=\"col\">Last seen (UTC)</th>")
            html.markup("<th scope=\"col\">Address</th><th scope=\"col\">Browser</th><th scope=\"col\"></th>")
            html.markup("</tr></thead>\n<tbody>\n")
            var time = TimestampFormatter()
            for entry in sessions {
                let session = entry.session
                let handle = session.handle.description
                html.markup("<tr id=\"session-")
                html.text(handle)
                html.markup("\"><td>")
                timestamp(&html, session.createdAt, &time)
                html.markup("</td><td>")
                timestamp(&html, session.lastSeenAt, &time)
                html.markup("</td><td>")
                html.text(session.address)
                html.markup("</td><td>")
                html.text(session.userAgent)
                html.markup("</td><td>")
                if entry.isCurrent {
                    html.markup("<strong class=\"current\">This session</strong>")
                } else {
                    form(&html, action: PortalPath.revoke)
                    hidden(&html, name: "session", value: handle)
                    html.markup("<button type=\"submit\">Revoke</button></form>")
                }
                html.markup("</td></tr>\n")
            }
            html.markup("</tbody></table>\n")
            form(&html, action: PortalPath.logout)
            html.markup("<p><button type=\"submit\" id=\"logout\">Log out</button></p>\n</form>\n")
            form(&html, action: PortalPath.logoutEverywhere)
            html.markup(
                "<p><button type=\"submit\" id=\"logout-everywhere\">Log out everywhere</button></p>\n</form>\n")
        }
    }

    /// A time as RFC 3339 UTC, which needs no escaping.
    private static func timestamp(_ html: inout HTMLWriter, _ milliseconds: Int64, _ time: inout TimestampFormatter) {
        var bytes: [UInt8] = []
        time.append(milliseconds, to: &bytes)
        html.text(String(decoding: bytes, as: UTF8.self))
    }
}
