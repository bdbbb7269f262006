#!/usr/bin/env python3
"""Wire fuzzer: mutated requests to a real authd over loopback sockets, for a bounded time.

Usage: Fuzz/wire.py [--seconds 60] [--threads 24] [--seed N] [--hog N] [path/to/authd]

With --hog N, one more client (127.0.0.9) keeps opening idle keep-alive connections against a
per-client cap of N while the fuzzing clients (each its own 127.0.0.x, one connection at a time)
run: it must be refused or lose its oldest idle connections, and none of them may ever be refused.
(default binary: .build/release/authd; build it with `swift build -c release --product authd`).

It starts its own authd on a loopback port with a fresh database in a temporary folder, sends
mutations of valid seed-API requests (byte flips, inserted HTTP tokens, cuts, appended requests,
half-closes), and stops authd by its PID at the end. It fails (exit 1) on any 5xx other than 501,
503 and 505, on a refused connection (authd died), or on a non-zero exit of authd; offending
payloads are written to Fuzz/wire-findings/.
"""
import argparse
import collections
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

SEEDS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 25\r\n\r\nemail=a%40b.c&password=pw",
    b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 25\r\n\r\nemail=a%40b.c&password=pw",
    b"GET /profile HTTP/1.1\r\nHost: x\r\nCookie: a=b; session_id=\"0f\"; c\r\n\r\n",
    b"DELETE /sessions HTTP/1.1\r\nHost: x\r\nCookie: session_id=x\r\nContent-Length: 0\r\n\r\n",
    b"POST /reset_password HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2a\r\n--XX\r\nContent-Disposition: form-data; name=\"email\"\r\n"
    b"\r\n\r\n5\r\na@b.c\r\n8\r\n\r\n--XX--\r\n\r\n0\r\n\r\n",
    b"PUT /reset_password HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60\r\n"
    b"\r\n{\"email\":\"a@b.c\",\"reset_token\":\"t\",\"new_password\":\"\\u00e9x\"}",
    b"POST /users HTTP/1.0\r\nExpect: 100-continue\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 14\r\n\r\nemail=&password",
]
TOKENS = [b"\r\n", b"\r\n\r\n", b"%", b"%zz", b"\x00", b"\xff", b" ", b":", b";", b"=", b"&", b"\"",
          b"chunked", b"Content-Length: 5\r\n", b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n",
          b"HTTP/1.1", b"9999999999999999999", b"-1", b"\t", b"{", b"}", b"\\u0000", b"/../", b"%2F"]
ALLOWED_5XX = {501, 503, 505}


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op, pos = rng.random(), rng.randint(0, len(data))
        if op < 0.3 and data:
            data[min(pos, len(data) - 1)] = rng.randint(0, 255)
        elif op < 0.55:
            data[pos:pos] = rng.choice(TOKENS)
        elif op < 0.75 and data:
            del data[pos:min(len(data), pos + rng.randint(1, 8))]
        elif op < 0.85:
            data = data[:pos]
        else:
            data += rng.choice(SEEDS)
    return bytes(data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build/release/authd")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--hog", type=int, default=0, help="per-client connection cap a hogging client meets")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="authd-wire-")
    port = free_port()
    log = open(os.path.join(work, "authd.log"), "w")
    authd = subprocess.Popen(
        [args.binary, "--port", str(port), "--database", os.path.join(work, "wire.db"),
         "--log-level", "warning", "--bcrypt-cost", "4", "--address-request-limit", "0",
         "--request-timeout", "1"] + (["--max-connections-per-client", str(args.hog)] if args.hog else []),
        stderr=log)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.02)

    statuses, findings, lock = collections.Counter(), [], threading.Lock()
    deadline = time.time() + args.seconds
    sent = [0]

    def worker(index):
        rng = random.Random(args.seed * 1000 + index)
        while time.time() < deadline:
            payload = mutate(rng, rng.choice(SEEDS))
            answer = b""
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=3,
                                              source_address=(f"127.0.0.{10 + index}", 0)) as s:
                    s.sendall(payload)
                    if rng.random() < 0.5:
                        s.shutdown(socket.SHUT_WR)
                    s.settimeout(1.5)
                    try:
                        while chunk := s.recv(65536):
                            answer += chunk
                    except socket.timeout:
                        pass
            except ConnectionRefusedError:
                with lock:
                    findings.append(("refused", payload))
                return
            except (ConnectionResetError, BrokenPipeError, socket.timeout):
                pass
            codes = [int(line[9:12]) for line in answer.split(b"\r\n")
                     if line.startswith(b"HTTP/1.1 ") and line[9:12].isdigit()]
            with lock:
                sent[0] += 1
                statuses.update(codes or ["no answer"])
                findings.extend((f"status {c}", payload) for c in codes if c >= 500 and c not in ALLOWED_5XX)
                if b"too many connections" in answer:
                    findings.append(("a client under its cap was refused a connection", payload))

    hogged = collections.Counter()

    def hog():
        held = []
        while time.time() < deadline:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=3, source_address=("127.0.0.9", 0))
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(2)
                answer = s.recv(65536)
                hogged["refused" if b"503" in answer[:13] else "served"] += 1
                held.append(s)
                # Connections the server closed to make room read as EOF.
                for old in held[:-1]:
                    old.setblocking(False)
                    try:
                        if old.recv(1) == b"":
                            hogged["closed for room"] += 1
                            held.remove(old)
                            old.close()
                    except BlockingIOError:
                        pass
                held = held[-4 * args.hog:]
            except OSError:
                hogged["error"] += 1
                time.sleep(0.01)
        for s in held:
            s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    if args.hog:
        threads.append(threading.Thread(target=hog))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    alive = authd.poll() is None
    authd.terminate()
    code = authd.wait(timeout=30)
    print(f"seed {args.seed}: {sent[0]} mutated requests in {args.seconds:.0f} s; authd alive: {alive}, exit {code}")
    print("answers:", dict(sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    if args.hog:
        print("hogging client:", dict(hogged))
        if hogged["refused"] + hogged["closed for room"] == 0:
            findings.append(("the hogging client never met its cap", b""))
    if findings:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wire-findings")
        os.makedirs(out, exist_ok=True)
        for number, (why, payload) in enumerate(findings):
            with open(os.path.join(out, f"{args.seed}-{number}.bin"), "wb") as f:
                f.write(payload)
            print(f"finding {number}: {why}: {payload[:200]!r}")
    return 1 if findings or not alive or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
