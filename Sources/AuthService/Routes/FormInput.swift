import HTTPParser

/// The form fields of a request body, with the checks every route shares.
struct FormInput {
    private let fields: FormFields

    /// Decodes the body by its Content-Type; a bad body becomes the answer to send instead.
    init(_ request: Request) throws(FormInputError) {
        do {
            fields = try FormDecoder.decode(
                body: request.body, contentType: request.headers.first("Content-Type"))
        } catch {
            throw FormInputError(status: error.status, message: error.message)
        }
    }

    /// A field that must be present and not blank.
    func required(_ name: String) throws(FormInputError) -> String {
        guard let value = fields[name], value.contains(where: { !$0.isWhitespace }) else {
            throw FormInputError(status: 400, message: "missing field: \(name)")
        }
        return value
    }

    /// A required password: bcrypt would silently cut it at a NUL byte, so one is refused.
    func password(_ name: String) throws(FormInputError) -> String {
        let value = try required(name)
        guard !value.utf8.contains(0) else {
            throw FormInputError(status: 400, message: "\(name) must not contain NUL bytes")
        }
        return value
    }

    /// The `email` and `password` fields that registration and login both require.
    func credentials() throws(FormInputError) -> (email: String, password: String) {
        (try required("email"), try password("password"))
    }

    /// A field that may be absent (absent and empty are the same here).
    func optional(_ name: String) -> String? {
        guard let value = fields[name], !value.isEmpty else { return nil }
        return value
    }
}

/// A request whose form could not be used: the status and message to answer with.
struct FormInputError: Error {
    let status: Int
    let message: String

    /// The API's JSON answer.
    var answer: Response { ErrorAnswer.make(status, message) }
}
