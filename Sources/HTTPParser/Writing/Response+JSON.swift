extension Response {
    /// The JSON error (or notice) answer `{"message":"..."}` with `status`.
    public static func jsonMessage(status: Int, _ message: String) -> Response {
        Response(status: status, body: JSONWriter.object([("message", message)]))
    }
}

extension ResponseWriter {
    /// Same as `Response.jsonMessage(status:_:)`, for callers that think of it as writer work.
    public static func jsonMessage(status: Int, _ message: String) -> Response {
        Response.jsonMessage(status: status, message)
    }
}
