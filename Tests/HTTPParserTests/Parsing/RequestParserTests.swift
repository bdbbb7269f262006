import Testing

@testable import HTTPParser

@Suite struct RequestParserTests {
    @Test func parsesRequestLineHeadersAndBody() throws {
        let text =
            "POST /sessions?next=%2F HTTP/1.1\r\nHost: localhost:5000\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nemail=a%40b"
        let request = try #require(parseOne(text))
        #expect(request.method == .post)
        #expect(request.target == "/sessions?next=%2F")
        #expect(request.path == "/sessions")
        #expect(request.query == "next=%2F")
        #expect(request.version == .http11)
        #expect(request.headers.first("content-type") == "application/x-www-form-urlencoded")
        #expect(request.headers.first("HOST") == "localhost:5000")
        #expect(request.body == Array("email=a%40b".utf8))
        #expect(request.keepAlive)
    }

    @Test func reportsConsumedBytesOfExactlyOneRequest() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET".utf8)
        var parser = RequestParser()
        let result = bytes.withUnsafeBytes { parser.parse($0) }
        guard case .request(_, let consumed) = result else {
            Issue.record("expected a request, got \(result)")
            return
        }
        #expect(consumed == bytes.count - 3)
    }

    @Test func mapsEveryStandardMethodAndKeepsOthers() throws {
        let methods: [(String, HTTPMethod)] = [
            ("GET", .get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
            ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .trace), ("CONNECT", .connect),
            ("PURGE", .other("PURGE")), ("get", .other("get")),
        ]
        for (token, method) in methods {
            let request = try #require(parseOne("\(token) / HTTP/1.1\r\nHost: a\r\n\r\n"))
            #expect(request.method == method)
            #expect(request.method.name == token)
        }
    }

    @Test func absoluteFormTargetsAreReducedToTheirPathAndQuery() throws {
        let targets = [
            ("http://example.com/profile?next=%2F", "/profile?next=%2F"),
            ("HTTPS://Example.com:8443/sessions", "/sessions"),
            ("http://[::1]:5000/users/", "/users/"),
            ("http://example.com", "/"),
            ("http://example.com?x=1", "/?x=1"),
        ]
        for (sent, origin) in targets {
            // The Host field may differ from the target's authority: the target's wins (RFC 9112 §3.2.2).
            let request = try #require(parseOne("GET \(sent) HTTP/1.1\r\nHost: other\r\n\r\n"), "\(sent)")
            #expect(request.target == origin)
            #expect(request.path == origin.split(separator: "?", omittingEmptySubsequences: false)[0])
        }
    }

    @Test func targetsOfNeitherFormPassUnchanged() throws {
        for target in ["*", "ftp://example.com/x", "http:/x", "example.com/x"] {
            let request = try #require(parseOne("OPTIONS \(target) HTTP/1.1\r\nHost: a\r\n\r\n"))
            #expect(request.target == target)
        }
    }

    @Test func trimsOptionalWhitespaceAroundFieldValues() throws {
        let request = try #require(parseOne("GET / HTTP/1.1\r\nHost:a\r\nX-Pad: \t v a l \t \r\nX-Empty:\r\n\r\n"))
        #expect(request.headers.first("host") == "a")
        #expect(request.headers.first("x-pad") == "v a l")
        #expect(request.headers.first("x-empty") == "")
        #expect(request.headers.count == 3)
    }

    @Test func keepsRepeatedFieldsInOrder() throws {
        let request = try #require(parseOne("GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\nX: 1\r\ncookie: b=2\r\n\r\n"))
        #expect(request.headers.values("Cookie") == ["a=1", "b=2"])
        #expect(request.headers.all.map(\.name) == ["Host", "Cookie", "X", "cookie"])
    }

    @Test func acceptsObsTextInFieldValues() throws {
        let request = try #require(parseOne("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{e9}\r\n\r\n"))
        #expect(request.headers.first("x-name") == "caf\u{e9}")
    }

    @Test func acceptsBareLineFeedsInTheHead() throws {
        let request = try #require(parseOne("GET /lf HTTP/1.1\nHost: a\nX: y\n\n"))
        #expect(request.target == "/lf")
        #expect(request.headers.first("x") == "y")
    }

    @Test func skipsEmptyLinesBeforeTheRequestLine() {
        let bytes = Array("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let outcomes = parseWhole(bytes)
        guard case .request(_, _, _, _, _, let consumed) = outcomes.first else {
            Issue.record("expected a request, got \(outcomes)")
            return
        }
        #expect(consumed == bytes.count)
    }

    @Test func treatsAHigherMinorVersionAsHTTP11() throws {
        let request = try #require(parseOne("GET / HTTP/1.7\r\nHost: a\r\n\r\n"))
        #expect(request.version == .http11)
    }

    @Test func acceptsHTTP10WithoutHost() throws {
        let request = try #require(parseOne("GET / HTTP/1.0\r\n\r\n"))
        #expect(request.version == .http10)
        #expect(!request.keepAlive)
    }

    @Test func ignoresABodyWithoutFraming() {
        let outcomes = parseWhole(Array("POST / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(outcomes.count == 3)
        if case .request(let method, _, _, let body, _, _) = outcomes[0] {
            #expect(method == "POST")
            #expect(body.isEmpty)
        }
        if case .request(let method, _, _, _, _, _) = outcomes[1] { #expect(method == "GET") }
    }

    @Test func acceptsIdenticalRepeatedContentLengths() throws {
        let request = try #require(
            parseOne("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi"))
        #expect(request.body == Array("hi".utf8))
    }

    @Test func answersNeedMoreForAnEmptyBuffer() {
        var parser = RequestParser()
        let result = parser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        guard case .needMore = result else {
            Issue.record("expected needMore, got \(result)")
            return
        }
    }

    @Test func startsOverAfterAnError() throws {
        var parser = RequestParser()
        let bad = Array("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n".utf8)
        let good = Array("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        guard case .error(.whitespaceBeforeColon) = bad.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("expected whitespaceBeforeColon")
            return
        }
        guard case .request(let request, _) = good.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("expected a request after the reset")
            return
        }
        #expect(request.target == "/ok")
    }

    @Test func notesAForwardingFieldInAnyCaseAndForgetsItForTheNextRequest() throws {
        for field in [
            "X-Forwarded-For: 192.0.2.7", "x-forwarded-for: 192.0.2.7", "Forwarded: for=192.0.2.7", "FORWARDED: for=x",
        ] {
            #expect(
                try #require(parseOne("GET / HTTP/1.1\r\nHost: a\r\n\(field)\r\n\r\n")).hasForwardingField, "\(field)")
        }
        for field in ["X-Forwarded-Host: a", "Accept-Encoding: gzip", "X-Forwarded-Fox: a", "Forwardedx: a"] {
            #expect(
                try !#require(parseOne("GET / HTTP/1.1\r\nHost: a\r\n\(field)\r\n\r\n")).hasForwardingField, "\(field)")
        }
        var parser = RequestParser()
        let two = Array("GET / HTTP/1.1\r\nHost: a\r\nForwarded: for=x\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        guard case .request(let first, let used) = two.withUnsafeBytes({ parser.parse($0) }),
            case .request(let second, _) = two[used...].withUnsafeBytes({ parser.parse($0) })
        else {
            Issue.record("expected two requests")
            return
        }
        #expect(first.hasForwardingField && !second.hasForwardingField)
    }
}

@Suite struct ResumptionTests {
    @Test func resumesScanningWhereTheLastCallStopped() {
        var parser = RequestParser()
        let bytes = Array(("GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "v", count: 1000)).utf8)
        _ = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<500])) }
        #expect(parser.scanned == 500, "no byte before the end is searched again")
        #expect(parser.lineStart == 25, "the partial line starts after the Host line")
        _ = bytes.withUnsafeBytes { parser.parse($0) }
        #expect(parser.scanned == bytes.count)
        #expect(parser.head.fields.count == 1, "the Host line was parsed once, before the partial line")
    }
}
