import Foundation

/// An answer as curl received it: the status, the header fields (names lower-cased, repeats kept)
/// and the body.
struct CurlAnswer {
    var status: Int
    var fields: [(name: String, value: String)]
    var body: String

    /// The first value of `name` (any case).
    func header(_ name: String) -> String? {
        fields.first { $0.name == name.lowercased() }?.value
    }

    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

/// curl as a browser-like client of the gate tests: one cookie jar across requests (curl keeps a
/// cookie's `Domain` as browsers do), host names resolved to loopback (`--resolve`), redirects
/// not followed.
struct Curl {
    let jar: String
    let resolve: [String]
    /// Kept for as long as the client: the jar lives in it.
    private let folder: TemporaryFolder

    /// A client with an empty jar in `folder`, sending `hosts` on `port` to 127.0.0.1.
    init(folder: TemporaryFolder, hosts: [String], port: Int) {
        self.folder = folder
        jar = folder.url.appendingPathComponent("cookies-\(UUID().uuidString.prefix(8))").path
        resolve = hosts.map { "\($0):\(port):127.0.0.1" }
    }

    /// Sends `method` to `url` with `form` urlencoded and the extra `headers` (`Name: value`).
    func send(
        _ method: String, _ url: String, form: [(String, String)] = [], headers: [String] = []
    ) throws -> CurlAnswer {
        var arguments = ["-s", "-i", "--max-time", "20", "-b", jar, "-c", jar]
        for entry in resolve { arguments += ["--resolve", entry] }
        arguments += method == "HEAD" ? ["-I"] : ["-X", method]
        for header in headers { arguments += ["-H", header] }
        for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        arguments.append(url)
        let (status, output) = try run("/usr/bin/curl", arguments)
        guard status == 0 else { throw CurlError.failed(status, output) }
        return try Self.parse(output)
    }

    private static func parse(_ output: String) throws -> CurlAnswer {
        let parts = output.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { throw CurlError.failed(0, output) }
        let fields = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].lowercased(),
                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            )
        }
        return CurlAnswer(status: status, fields: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

enum CurlError: Error {
    case failed(Int32, String)
}
