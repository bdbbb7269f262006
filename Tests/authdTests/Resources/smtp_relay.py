#!/usr/bin/env python3
"""A real SMTP relay for authd's end-to-end tests: aiosmtpd on loopback, writing each message it
accepts to FOLDER/mail-N.eml (renamed into place whole) and each transaction it sees to
FOLDER/attempts.log. Prints "port N" once it listens.

    smtp_relay.py FOLDER [PORT]        (PORT 0 or absent: a free one)

FOLDER/mode, read at every RCPT and DATA, scripts the answers:
    accept    (default) 250 to everything
    451       451 to every DATA (a temporary failure)
    451-once  451 to the first DATA this process sees, 250 afterwards
    550       550 to every RCPT (a permanent failure)
    hang      never answers RCPT (a stuck relay)
    slow      250 to every DATA, 2.5 s after it ends (a slow relay, well within authd's SMTP timeout)
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, folder):
        self.folder = folder
        self.deferred_once = False
        self.count = 0

    def mode(self):
        try:
            with open(os.path.join(self.folder, "mode")) as f:
                return f.read().strip() or "accept"
        except FileNotFoundError:
            return "accept"

    def note(self, line):
        with open(os.path.join(self.folder, "attempts.log"), "a") as f:
            f.write(line + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.mode()
        self.note(f"RCPT {address} {mode}")
        if mode == "hang":
            await asyncio.sleep(3600)
        if mode == "550":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        if mode == "451" or (mode == "451-once" and not self.deferred_once):
            self.deferred_once = True
            self.note("DATA 451")
            return "451 4.3.0 try again later"
        if mode == "slow":
            await asyncio.sleep(2.5)
        self.count += 1
        name = os.path.join(self.folder, f"mail-{os.getpid()}-{self.count}.eml")
        with open(name + ".part", "wb") as f:
            f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(name + ".part", name)
        self.note("DATA 250")
        return "250 2.0.0 queued"


async def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    handler = Handler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="relay.test", decode_data=False), host="127.0.0.1", port=port)
    print("port", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
