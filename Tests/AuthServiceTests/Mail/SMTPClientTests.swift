import Foundation
import Testing

@testable import AuthService

/// The SMTP dialogue against a scripted relay on loopback: what goes out, and each way a relay can
/// fail, answered as a retry or a refusal and never a crash.
@Suite(.serialized) struct SMTPClientTests {
    private static let message = Array("Subject: hi\r\n\r\nbody\r\n".utf8)

    private func client(_ relay: FakeRelay, timeout: Int = 2_000) -> SMTPClient {
        SMTPClient(host: "127.0.0.1", port: relay.port, timeoutMilliseconds: timeout, helloName: "authd.test")
    }

    /// One delivery, on a thread of its own (it blocks); `acceptances` counts the relay's 250s to the data.
    private func send(
        _ relay: FakeRelay, to: String = "to@y.test", message: [UInt8] = message, timeout: Int = 2_000,
        acceptances: Counter = Counter()
    ) async throws -> Result<Void, SMTPFailure> {
        let client = client(relay, timeout: timeout)
        return try await onOwnThread {
            client.send(from: "from@x.test", to: to, message: message) { acceptances.increment() }
        }
    }

    @Test func aMailGoesThroughEHLOMailRcptDataAndQuit() async throws {
        let relay = try FakeRelay([FakeRelay.accepting()])
        let acceptances = Counter()
        let result = try await send(relay, acceptances: acceptances)
        #expect(result.failure == nil)
        #expect(acceptances.value == 1)
        #expect(await relay.eventually { $0.lines.count == 5 })
        #expect(relay.lines == ["EHLO authd.test", "MAIL FROM:<from@x.test>", "RCPT TO:<to@y.test>", "DATA", "QUIT"])
        #expect(relay.data == [Array("Subject: hi\r\n\r\nbody\r\n.\r\n".utf8)])
    }

    @Test func multiLineRepliesAreReadWhole() async throws {
        var script = FakeRelay.accepting(
            greeting: "220-relay.test first line\r\n220-second line\r\n220 last line\r\n",
            extensions: ["PIPELINING", "SIZE 1000000", "8BITMIME", "SMTPUTF8"])
        script[4] = .send("250-ok\r\n250 sender fine\r\n")
        let relay = try FakeRelay([script])
        #expect(try await send(relay).failure == nil)
        #expect(await relay.eventually { $0.lines.count == 5 })
    }

    @Test func linesStartingWithADotAreDoubledAndEveryLineBreakIsCRLF() async throws {
        #expect(
            SMTPClient.dataBlock(Array(".hidden\r\nx\n.\r\ny\rz".utf8))
                == Array("..hidden\r\nx\r\n..\r\ny\r\nz\r\n.\r\n".utf8))
        // A lone "." line (or "\n.\r\n", the SMTP smuggling shape) never ends the data early.
        #expect(
            SMTPClient.dataBlock(Array("a\n.\r\nMAIL FROM:<x@evil>".utf8))
                == Array("a\r\n..\r\nMAIL FROM:<x@evil>\r\n.\r\n".utf8))
        #expect(SMTPClient.dataBlock([]) == Array(".\r\n".utf8))

        let relay = try FakeRelay([FakeRelay.accepting()])
        #expect(try await send(relay, message: Array("Subject: x\r\n\r\n.\r\n..two\r\n".utf8)).failure == nil)
        #expect(await relay.eventually { !$0.data.isEmpty })
        #expect(relay.data.first == Array("Subject: x\r\n\r\n..\r\n...two\r\n.\r\n".utf8))
    }

    @Test func a451IsATemporaryFailureToRetry() async throws {
        let relay = try FakeRelay([FakeRelay.refusing(at: "RCPT", with: "451 4.3.0 try later\r\n")])
        let failure = try #require(try await send(relay).failure)
        #expect(failure == .reply(.recipient, code: 451, text: "4.3.0 try later"))
        #expect(!failure.isPermanent && !failure.isRelayWide)
    }

    @Test func a550IsPermanent() async throws {
        let relay = try FakeRelay([FakeRelay.refusing(at: "END", with: "550 5.7.1 no thanks\r\n")])
        let acceptances = Counter()
        let failure = try #require(try await send(relay, acceptances: acceptances).failure)
        #expect(failure == .reply(.message, code: 550, text: "5.7.1 no thanks"))
        #expect(failure.isPermanent)
        #expect(acceptances.value == 0)
    }

    @Test(arguments: [
        "HELLO THERE\r\n", "22 short\r\n", "220x no separator\r\n", "999 out of range\r\n", "\u{1}\u{2}\u{3}\r\n",
        "220-first\r\n250 another code\r\n",
    ])
    func garbageIsAMalformedReplyToRetry(_ greeting: String) async throws {
        let relay = try FakeRelay([[.send(greeting), .hang(seconds: 10)]])
        let failure = try #require(try await send(relay).failure)
        #expect(failure == .malformedReply(.greeting))
        #expect(!failure.isPermanent && failure.isRelayWide)
    }

    @Test func aReplyLineWithoutEndIsMalformed() async throws {
        let relay = try FakeRelay([[.send("220 " + String(repeating: "x", count: 5000)), .hang(seconds: 10)]])
        #expect(try await send(relay).failure == .malformedReply(.greeting))
    }

    @Test func tooManyReplyLinesAreMalformed() async throws {
        let relay = try FakeRelay([
            [.send(String(repeating: "220-more\r\n", count: 100) + "220 end\r\n"), .hang(seconds: 10)]
        ])
        #expect(try await send(relay).failure == .malformedReply(.greeting))
    }

    @Test func aRelayClosingMidDialogueIsRetried() async throws {
        var script = FakeRelay.accepting()
        script.removeSubrange(5...)
        let relay = try FakeRelay([script + [.readLine, .close]])
        let failure = try #require(try await send(relay).failure)
        #expect(failure == .closed(.recipient))
        #expect(!failure.isPermanent)
    }

    @Test func aRelayThatStopsAnsweringTimesOut() async throws {
        let relay = try FakeRelay([[.send("220 relay.test\r\n"), .readLine, .hang(seconds: 30)]])
        let client = client(relay, timeout: 200)
        // Timed on the sending thread: a busy test run may keep an awaiting task waiting longer.
        let (result, took) = try await onOwnThread {
            let started = ContinuousClock.now
            let result = client.send(from: "from@x.test", to: "to@y.test", message: Self.message)
            return (result, ContinuousClock.now - started)
        }
        let failure = try #require(result.failure)
        #expect(failure == .timedOut(.hello))
        #expect(took < .seconds(2))
        #expect(!failure.isPermanent)
    }

    @Test func aRelayRefusingEHLOGetsHELO() async throws {
        var script = FakeRelay.accepting()
        script[2] = .send("502 5.5.1 EHLO not known\r\n")
        script.insert(contentsOf: [.readLine, .send("250 relay.test\r\n")], at: 3)
        let relay = try FakeRelay([script])
        #expect(try await send(relay).failure == nil)
        #expect(await relay.eventually { $0.lines.count == 6 })
        #expect(Array(relay.lines.prefix(2)) == ["EHLO authd.test", "HELO authd.test"])
    }

    @Test func aClosedPortIsUnreachableAndRetried() async throws {
        let relay = try FakeRelay([])
        relay.stop()
        try await Task.sleep(for: .milliseconds(150))
        let failure = try #require(try await send(relay).failure)
        guard case .unreachable = failure else {
            Issue.record("\(failure)")
            return
        }
        #expect(!failure.isPermanent && failure.isRelayWide)
    }

    @Test(arguments: [
        "victim@x.test\r\nRCPT TO:<attacker@evil.test>", "victim@x.test\nBcc: attacker@evil.test", "a b@x.test",
        "victim@x.test>", "<victim@x.test", "victim@x.test\u{0}", "no-at-sign", "a@b@c", "",
    ])
    func anAddressThatCouldInjectNeverReachesTheRelay(_ address: String) async throws {
        let relay = try FakeRelay([FakeRelay.accepting()])
        let failure = try #require(try await send(relay, to: address).failure)
        #expect(failure == .invalidAddress && failure.isPermanent)
        try await Task.sleep(for: .milliseconds(100))
        #expect(relay.connections == 0)
    }

    @Test func aNonASCIIAddressNeedsSMTPUTF8() async throws {
        let without = try FakeRelay([FakeRelay.accepting()])
        let failure = try #require(try await send(without, to: "\u{E9}mile@x.test").failure)
        #expect(failure.isPermanent)
        guard case .unsupported = failure else {
            Issue.record("\(failure)")
            return
        }

        let with = try FakeRelay([FakeRelay.accepting(extensions: ["SMTPUTF8"])])
        #expect(try await send(with, to: "\u{E9}mile@x.test").failure == nil)
        #expect(await with.eventually { $0.lines.count == 5 })
        #expect(with.lines[1] == "MAIL FROM:<from@x.test> SMTPUTF8")
    }

    @Test func anInterruptionCutsAWaitShort() async throws {
        let relay = try FakeRelay([[.send("220 relay.test\r\n"), .readLine, .hang(seconds: 10)]])
        let interruption = SMTPInterruption()
        Thread.detachNewThread {
            usleep(200_000)
            interruption.interrupt()
        }
        let client = client(relay, timeout: 8_000)
        let (result, took) = try await onOwnThread {
            let started = ContinuousClock.now
            let result = client.send(
                from: "from@x.test", to: "to@y.test", message: Self.message, interruption: interruption)
            return (result, ContinuousClock.now - started)
        }
        #expect(result.failure == .closed(.hello))
        #expect(took < .seconds(3))
    }
}
