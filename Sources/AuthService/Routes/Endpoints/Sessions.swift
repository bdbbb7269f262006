import HTTPParser

extension AuthRoutes {
    /// `GET /sessions` with the cookie: 200 `{"sessions": [...]}`, the caller's own, newest first.
    static func listSessions(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        withSessionID(request, respond: respond) { sessionID in
            context.auth.sessions(forSession: sessionID, client: client(of: request)) { result in
                respond(
                    answer(result, context) { listed in
                        Response(status: 200, headers: noStore, body: SessionListJSON.body(listed))
                    })
            }
        }
    }

    /// `DELETE /sessions/{id}` with the cookie: ends one of the caller's sessions, 200
    /// `{"message": "session ended"}`; an id that is not the caller's, or no id at all, is a 404.
    static func endSession(_ request: Request, _ context: Context, respond: @escaping @Sendable (Response) -> Void) {
        guard let handle = SessionHandle(pathParameter(of: request.target, after: sessionsPrefix)) else {
            return respond(ErrorAnswer.make(.unknownSessionHandle))
        }
        withSessionID(request, respond: respond) { sessionID in
            context.auth.endSession(handle, forSession: sessionID, client: client(of: request)) { result in
                respond(answer(result, context) { _ in json(200, [("message", "session ended")]) })
            }
        }
    }

    /// Where `DELETE /sessions/{id}` names its session.
    static let sessionsPrefix = "/sessions/"

    /// The path segment after `prefix`, up to the query and without a trailing slash.
    static func pathParameter(of target: String, after prefix: String) -> Substring {
        let path = target.prefix { $0 != "?" }.dropFirst(prefix.count)
        return path.hasSuffix("/") ? path.dropLast() : path
    }
}
