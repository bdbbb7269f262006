import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An answer as a test sees it.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    /// The body decoded as a JSON object of strings (`[:]` when it is not one).
    var json: [String: String] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: String] ?? [:]
    }

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// URLSession (libcurl underneath on Linux) with redirects and cookies left to the test.
final class HTTPClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private var session: URLSession!
    let base: String

    init(base: String) {
        self.base = base
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends one request; `form` goes urlencoded, `cookie` as `session_id`.
    func send(
        _ method: String, _ path: String, form: [String: String]? = nil, sessionID: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let form {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(Self.urlencoded(form).utf8)
        }
        if let sessionID { request.setValue("session_id=\(sessionID)", forHTTPHeaderField: "Cookie") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as! HTTPURLResponse
                var fields: [String: String] = [:]
                for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
                continuation.resume(
                    returning: HTTPAnswer(status: http.statusCode, headers: fields, body: data ?? Data()))
            }.resume()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    static func urlencoded(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }.map { key, value in
            key.addingPercentEncoding(withAllowedCharacters: allowed)! + "="
                + value.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
    }

    /// The session id from a `Set-Cookie: session_id=...` answer.
    static func sessionID(from answer: HTTPAnswer) -> String? {
        guard let cookie = answer.header("Set-Cookie"), cookie.hasPrefix("session_id=") else { return nil }
        return String(cookie.dropFirst("session_id=".count).prefix { $0 != ";" })
    }
}
