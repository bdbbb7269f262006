import HTTPParser

/// The body of `GET /sessions`: `{"sessions":[{"address","created","current","id","last_seen",
/// "user_agent"}, ...]}`, keys sorted as every answer's, times as RFC 3339 UTC.
enum SessionListJSON {
    static func body(_ listed: [ListedSession]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + listed.count * 200)
        var time = TimestampFormatter()
        out.append(contentsOf: #"{"sessions":["#.utf8)
        for (index, entry) in listed.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let session = entry.session
            out.append(contentsOf: #"{"address":"#.utf8)
            JSONWriter.appendString(session.address, to: &out)
            out.append(contentsOf: #","created":""#.utf8)
            time.append(session.createdAt, to: &out)
            out.append(contentsOf: #"","current":"#.utf8)
            out.append(contentsOf: (entry.isCurrent ? "true" : "false").utf8)
            out.append(contentsOf: #","id":"#.utf8)
            JSONWriter.appendString(session.handle.description, to: &out)
            out.append(contentsOf: #","last_seen":""#.utf8)
            time.append(session.lastSeenAt, to: &out)
            out.append(contentsOf: #"","user_agent":"#.utf8)
            JSONWriter.appendString(session.userAgent, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}\n".utf8)
        return out
    }
}
