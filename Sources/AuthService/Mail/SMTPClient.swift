/// Sends one mail to a relay over SMTP (RFC 5321): greeting, EHLO (HELO when the relay does not
/// know it), MAIL FROM, RCPT TO, DATA with the message dot-stuffed, QUIT. Blocking, each step
/// bounded by the timeout: run it on the delivery thread. No TLS and no AUTH: the relay is
/// meant to be the host's own MTA on loopback, which takes care of the onward hops.
struct SMTPClient: Sendable {
    /// The relay's host name or address, and port.
    var host: String
    var port: Int
    /// How long connecting and each reply may take.
    var timeoutMilliseconds: Int
    /// The name this host gives in EHLO.
    var helloName: String

    /// Delivers `message` (an RFC 5322 message, lines ending in CRLF) from `from` to `to`.
    /// `accepted` runs as soon as the relay has accepted the mail (its 250 after the data), before
    /// QUIT, so the caller can record the delivery at once. Addresses holding CR, LF, other controls,
    /// spaces, `<` or `>` are refused before connecting (`.invalidAddress`): nothing a request put in
    /// an address can become another SMTP command. `interruption` may cut the dialogue short.
    func send(
        from: String, to: String, message: [UInt8], interruption: SMTPInterruption? = nil, accepted: () -> Void = {}
    ) -> Result<Void, SMTPFailure> {
        guard Self.isSafeAddress(from), Self.isSafeAddress(to) else { return .failure(.invalidAddress) }
        let socket: SMTPSocket
        do {
            socket = try SMTPSocket(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            return .failure(error)
        }
        interruption?.attach(socket.fileDescriptor)
        defer {
            interruption?.attach(nil)
            socket.close()
        }
        do throws(SMTPFailure) {
            try dialogue(on: socket, from: from, to: to, message: message, interruption: interruption)
        } catch {
            return .failure(error)
        }
        accepted()
        // The mail is the relay's now: how QUIT goes changes nothing.
        _ = try? command("QUIT", on: socket, at: .message, expecting: 221)
        return .success(())
    }

    private func dialogue(
        on socket: SMTPSocket, from: String, to: String, message: [UInt8], interruption: SMTPInterruption?
    ) throws(SMTPFailure) {
        try expect(
            SMTPReply.read(at: .greeting) { () throws(SMTPFailure) in try socket.readLine(at: .greeting) }, 220,
            at: .greeting)
        let extensions = try hello(on: socket)
        let international = !(from.utf8.allSatisfy { $0 < 0x80 } && to.utf8.allSatisfy { $0 < 0x80 })
        if international && !extensions.contains("SMTPUTF8") {
            throw .unsupported("SMTPUTF8 (RFC 6531), needed for \(to)")
        }
        try command(
            "MAIL FROM:<\(from)>" + (international ? " SMTPUTF8" : ""), on: socket, at: .mailFrom, expecting: 250)
        try command("RCPT TO:<\(to)>", on: socket, at: .recipient, expecting: 250, 251)
        try command("DATA", on: socket, at: .data, expecting: 354)
        try socket.write(Self.dataBlock(message), at: .message)
        // From here an interruption could leave a mail the relay accepted marked as unsent.
        interruption?.setInterruptible(false)
        defer { interruption?.setInterruptible(true) }
        try expect(
            SMTPReply.read(at: .message) { () throws(SMTPFailure) in try socket.readLine(at: .message) }, 250,
            at: .message)
    }

    /// EHLO, or HELO when the relay refuses EHLO (RFC 5321 §3.2); the extension keywords offered.
    private func hello(on socket: SMTPSocket) throws(SMTPFailure) -> Set<String> {
        do {
            let reply = try command("EHLO \(helloName)", on: socket, at: .hello, expecting: 250)
            return Set(reply.lines.dropFirst().compactMap { $0.split(separator: " ").first.map { $0.uppercased() } })
        } catch .reply(.hello, let code, _) where (500..<600).contains(code) {
            try command("HELO \(helloName)", on: socket, at: .hello, expecting: 250)
            return []
        }
    }

    /// Sends one command line and reads its reply, which must have one of `codes`.
    @discardableResult
    private func command(_ line: String, on socket: SMTPSocket, at stage: SMTPStage, expecting codes: Int...)
        throws(SMTPFailure)
        -> SMTPReply
    {
        try socket.write(Array((line + "\r\n").utf8), at: stage)
        let reply = try SMTPReply.read(at: stage) { () throws(SMTPFailure) in try socket.readLine(at: stage) }
        guard codes.contains(reply.code) else { throw .reply(stage, code: reply.code, text: reply.text) }
        return reply
    }

    private func expect(_ reply: SMTPReply, _ code: Int, at stage: SMTPStage) throws(SMTPFailure) {
        guard reply.code == code else { throw .reply(stage, code: reply.code, text: reply.text) }
    }

    /// Whether `address` can go between `<` and `>` in a command: some text with one `@`, and no
    /// byte that could end the command or the path (CR, LF, other controls, space, `<`, `>`).
    /// Non-ASCII letters pass (they need SMTPUTF8, which `send` checks).
    static func isSafeAddress(_ address: String) -> Bool {
        let bytes = address.utf8
        guard !bytes.isEmpty, bytes.count <= 254, bytes.filter({ $0 == UInt8(ascii: "@") }).count == 1 else {
            return false
        }
        return bytes.allSatisfy { byte in
            byte > 0x20 && byte != 0x7f && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
        }
    }

    /// The DATA block of `message`: every line break made CRLF (a bare CR or LF too, so no `.`
    /// line can be smuggled past the relay), every line starting with `.` given another (RFC 5321
    /// §4.5.2), and the closing `.` line.
    static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 32 + 8)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            index += 1
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                if byte == UInt8(ascii: "\r"), index < message.count, message[index] == UInt8(ascii: "\n") {
                    index += 1
                }
                out.append(contentsOf: [0x0d, 0x0a])
                atLineStart = true
                continue
            }
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            atLineStart = false
        }
        if !atLineStart { out.append(contentsOf: [0x0d, 0x0a]) }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }
}
