extension Response {
    /// The JSON error (or notice) answer `{"message":"..."}` with `status`.
    public static func jsonMessage(status: Int, _ message: String) -> Response {
        Response(status: status, body: JSONWriter.object([("message", message)]))
    }
}
