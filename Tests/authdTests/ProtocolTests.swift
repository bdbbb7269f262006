import Foundation
import Testing

/// HTTP/1.1 behaviour on raw sockets: pipelining, keep-alive, bad input answered and closed.
@Suite struct ProtocolTests {
    let server: AuthdProcess

    init() throws {
        server = try AuthdProcess()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let client = try RawClient(port: server.port)
        let body = "email=p%40b.c&password=pw"
        // The registration (bcrypt on another thread) finishes after the GETs are ready: order must hold.
        try client.send(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let statuses = try (0..<4).map { _ in try #require(try client.readResponse()) }
        #expect(statuses.map(\.status) == [200, 200, 404, 200])
        #expect(statuses[1].json == ["email": "p@b.c", "message": "user created"])
    }

    @Test func absoluteFormTargetsAreRoutedByTheirPath() throws {
        let client = try RawClient(port: server.port)
        let body = "email=abs%40b.c&password=pw"
        try client.send(
            "GET http://127.0.0.1:\(server.port)/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "POST HTTP://authd.example/users HTTP/1.1\r\nHost: other\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "GET http://authd.example/profile?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "DELETE http://authd.example/ HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET http://authd.example/nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let answers = try (0..<5).map { _ in try #require(try client.readResponse()) }
        #expect(answers.map(\.status) == [200, 200, 403, 405, 404])
        #expect(answers[0].json == ["message": "Bienvenue"])
        #expect(answers[1].json == ["email": "abs@b.c", "message": "user created"])
        #expect(answers[3].header("Allow") == "GET, HEAD")

        let userinfo = try server.refusal(of: "GET http://user@authd.example/ HTTP/1.1\r\nHost: x\r\n\r\n")
        try expectRefused(userinfo, 400, "invalid host in absolute-form request target", by: server)
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let client = try RawClient(port: server.port)
        for _ in 0..<100 {
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try #require(try client.readResponse())
            #expect(answer.status == 200)
            #expect(answer.header("Connection") != "close")
        }
    }

    @Test func connectionCloseAndHTTP10CloseAfterTheAnswer() throws {
        let closing = try RawClient(port: server.port)
        try closing.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = try #require(try closing.readResponse())
        #expect(answer.status == 200)
        #expect(answer.header("Connection")?.lowercased() == "close")
        #expect(closing.isClosedByPeer())

        let old = try RawClient(port: server.port)
        try old.send("GET / HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse()?.status == 200)
        #expect(old.isClosedByPeer())
    }

    @Test func malformedRequestGets400ThenCloseAndTheServerStaysUp() throws {
        let bad = try RawClient(port: server.port)
        try bad.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
        let answer = try #require(try bad.readResponse())
        #expect(answer.status == 400)
        #expect(answer.json["message"] != nil)
        #expect(bad.isClosedByPeer())

        let smuggle = try RawClient(port: server.port)
        try smuggle.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(try smuggle.readResponse()?.status == 400)
        #expect(smuggle.isClosedByPeer())

        let good = try RawClient(port: server.port)
        try good.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try good.readResponse()?.status == 200)
    }

    @Test func oversizedHeadsAndBodiesGetTheirOwnStatus() throws {
        let head = try RawClient(port: server.port)
        try head.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n")
        #expect(try head.readResponse()?.status == 431)

        let body = try RawClient(port: server.port)
        try body.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
        )
        #expect(try body.readResponse()?.status == 413)
    }

    @Test func expectContinueGets100BeforeTheBody() throws {
        let client = try RawClient(port: server.port)
        let body = "email=cont%40b.c&password=pw"
        try client.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        )
        #expect(try client.readResponse()?.status == 100)
        try client.send(body)
        #expect(try client.readResponse()?.status == 200)
    }

    @Test func chunkedAndMultipartBodiesAreAccepted() throws {
        try Prerequisite.require(.curl)
        let chunked = try RawClient(port: server.port)
        let body = "email=chunk%40b.c&password=pw"
        let first = body.prefix(10)
        let rest = body.dropFirst(10)
        try chunked.send(
            "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(first.utf8.count, radix: 16) + "\r\n\(first)\r\n" + String(rest.utf8.count, radix: 16)
                + "\r\n\(rest)\r\n0\r\n\r\n")
        #expect(try chunked.readResponse()?.json == ["email": "chunk@b.c", "message": "user created"])

        // What `curl -F` sends.
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-F", "email=multi@b.c", "-F", "password=pw", "\(server.baseURL)/users"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        curl.waitUntilExit()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let json = try JSONSerialization.jsonObject(with: text) as? [String: String]
        #expect(json == ["email": "multi@b.c", "message": "user created"])
    }

    @Test func slowClientGets408AtTheRequestTimeout() throws {
        let slow = try AuthdProcess(arguments: ["--request-timeout", "1"])
        let client = try RawClient(port: slow.port)
        try client.send("GET / HTTP/1.1\r\nHo")
        let answer = try #require(try client.readResponse())
        #expect(answer.status == 408)
        #expect(client.isClosedByPeer())
    }
}
