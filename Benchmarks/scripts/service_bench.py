#!/usr/bin/env python3
"""authd load harness: authd against nginx (the baseline) in the same run, on loopback only.

Every server it starts it stops by PID; every load is bounded in time. Writes results/latest.md.
Usage: service_bench.py AUTHD_BINARY [--duration SECONDS] [--quick]
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(os.path.dirname(HERE), "results")
WELCOME = '{"message":"Bienvenue"}\n'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f"nothing listens on {port}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """A process we started; stopped by its own PID only."""

    def __init__(self, argv, port, cwd=None, log=None):
        self.port = port
        self.log = log or tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=self.log)
        wait_port(port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_nginx(workdir):
    port = free_port()
    return Server(["nginx", "-c", write_nginx_conf(workdir, port), "-p", workdir], port)


def nginx_conf(workdir, name, http_body, single_process=False):
    """An nginx configuration in `workdir` (one worker, no access log, its temporary folders there)
    whose http block ends with `http_body`; returns its path."""
    conf = os.path.join(workdir, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(f"""
daemon off;
{"master_process off;" if single_process else ""}
worker_processes 1;
pid {workdir}/{name}.pid;
error_log {workdir}/{name}-error.log warn;
worker_rlimit_nofile 30000;
events {{ worker_connections 20000; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    keepalive_requests 1000000;
{http_body}
}}
""")
    return conf


def write_nginx_conf(workdir, port, single_process=False):
    return nginx_conf(workdir, f"nginx-{port}", f"""    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{WELCOME.strip()}\\n';
        }}
    }}""", single_process)


def start_authd(binary, workdir, db, extra=()):
    port = free_port()
    argv = [binary, "--port", str(port), "--database", db, "--log-level", "warning",
            "--address-request-limit", "0", *extra]
    return Server(argv, port, cwd=workdir)


def wrk(port, script, connections, duration, env=None, threads=1, timeout=10):
    environment = dict(os.environ)
    environment["WRK_REPORT"] = os.path.join(HERE, "report.lua")
    environment.update(env or {})
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", f"{timeout}s",
         "-s", os.path.join(HERE, script), f"http://127.0.0.1:{port}"],
        env=environment, capture_output=True, text=True, timeout=duration + 60)
    line = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not line:
        raise RuntimeError(f"wrk printed no report:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[-1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = (r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
                   + r["status_errors"])
    return r


def call(port, method, path, form=None, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    body = None
    if form is not None:
        body = "&".join(f"{k}={v}" for k, v in form.items())
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = f"session_id={cookie}"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, resp.getheader("Set-Cookie"), data


def session_of(set_cookie):
    return re.match(r"session_id=([^;]+)", set_cookie).group(1)


def mixed_flow(port, clients, flows_per_client):
    """register → login → profile ×10 → logout per flow, every answer checked."""
    failures = []
    latencies = []
    lock = threading.Lock()

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}

        def req(method, path, body=None, headers=None):
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            with lock:
                latencies.append(time.perf_counter() - start)
            return resp, data

        for n in range(flows_per_client):
            email = f"mix-{index}-{n}-{uuid.uuid4().hex[:8]}%40example.com"
            body = f"email={email}&password=pw"
            checks = []
            r, d = req("POST", "/users", body, form_headers)
            checks.append(r.status == 200)
            r, d = req("POST", "/sessions", body, form_headers)
            checks.append(r.status == 200)
            sid = session_of(r.getheader("Set-Cookie") or "session_id=x;")
            for _ in range(10):
                r, d = req("GET", "/profile", headers={"Cookie": f"session_id={sid}"})
                checks.append(r.status == 200 and json.loads(d)["email"] == email.replace("%40", "@"))
            r, d = req("DELETE", "/sessions", headers={"Cookie": f"session_id={sid}"})
            checks.append(r.status == 302)
            if not all(checks):
                with lock:
                    failures.append(email)
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e6
    return {"flows": clients * flows_per_client, "seconds": elapsed,
            "flows_per_s": clients * flows_per_client / elapsed, "failures": len(failures),
            "p50_us": pick(0.5), "p99_us": pick(0.99), "p999_us": pick(0.999)}


def idle_connections(server, count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    before = rss_kib(server.proc.pid)
    socks = []
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(request)
            socks.append(s)
        answered = 0
        for s in socks:
            if s.recv(4096).startswith(b"HTTP/1.1 200"):
                answered += 1
        time.sleep(0.5)
        after = rss_kib(server.proc.pid)
    finally:
        for s in socks:
            s.close()
    return {"connections": count, "answered": answered, "rss_before_kib": before, "rss_after_kib": after,
            "per_connection_bytes": (after - before) * 1024 / count}


def make_big_database(path, users):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(250) NOT NULL, hashed_password "
               "VARCHAR(250) NOT NULL, session_id VARCHAR(250), reset_token VARCHAR(250), PRIMARY KEY (id))")
    digest = b"$2b$12$ubyA/PF6z7IjErOHZEBmneMxEd4WnO4w3WT7XFHBzfKsuiIgbfGQK"
    db.executemany("INSERT INTO users (email, hashed_password, session_id) VALUES (?, ?, ?)",
                   ((f"user{i}@example.com", digest, str(uuid.uuid4())) for i in range(users)))
    db.commit()
    db.close()


def startup_time(binary, workdir, db):
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "--port", str(port), "--database", db, "--log-level", "warning"],
                            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                status, _, _ = call(port, "GET", "/")
                if status == 200:
                    return (time.perf_counter() - start) * 1000
            except OSError:
                pass
            if time.perf_counter() - start > 30:
                raise RuntimeError("authd did not answer within 30 s")
            time.sleep(0.001)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def callgrind_instructions(binary, workdir, requests, users=1, path="/profile", extra=(), logins=1):
    """Instructions per GET `path` with a cookie (GET /profile, or the gate's GET /verify): (run
    with N requests − run with 0) / N, under callgrind. The keep-alive connection sends the cookies
    of `users` users in turn: with 2, no request carries the cookie of the one before it, so the
    connection's remembered session key never serves. `extra` goes to authd's command line; each
    user logs in `logins` times (several sessions with `--sessions-per-user`), the last one's
    cookie measured."""
    totals = []
    for n in (0, requests):
        db = os.path.join(workdir, f"cg-{n}.db")
        port = free_port()
        out = os.path.join(workdir, f"callgrind-{n}.out")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                 binary, "--port", str(port), "--database", db, "--log-level", "warning",
                                 "--bcrypt-cost", "4", "--hash-threads", "1", *extra],
                                cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port, timeout=120)
        sids = []
        for user in range(users):
            form = {"email": f"cg{user}%40b.c", "password": "pw"}
            call(port, "POST", "/users", form)
            for _ in range(logins):
                _, cookie, _ = call(port, "POST", "/sessions", form)
            sids.append(session_of(cookie))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(n):
            conn.request("GET", path, headers={"Cookie": f"session_id={sids[i % users]}"})
            conn.getresponse().read()
        conn.close()
        proc.terminate()
        proc.wait(timeout=120)
        summary = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True).stdout
        match = re.search(r"([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", summary) or \
            re.search(r"([\d,]+)\s+PROGRAM TOTALS", summary)
        totals.append(int(match.group(1).replace(",", "")))
    return (totals[1] - totals[0]) / requests


def callgrind_get_root(argv_for_port, requests):
    """Instructions per keep-alive `GET /` of one server: (N requests − 0 requests) ÷ N."""
    totals = []
    for n in (0, requests):
        port = free_port()
        out = tempfile.mktemp(prefix="callgrind-root-")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                 *argv_for_port(port, n)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port, timeout=120)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(n):
            conn.request("GET", "/")
            conn.getresponse().read()
        conn.close()
        time.sleep(0.5)
        proc.send_signal(15 if "authd" in os.path.basename(argv_for_port(port, n)[0]) else 3)
        proc.wait(timeout=120)
        summary = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True).stdout
        os.unlink(out)
        match = re.search(r"([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", summary) or \
            re.search(r"([\d,]+)\s+PROGRAM TOTALS", summary)
        totals.append(int(match.group(1).replace(",", "")))
    return (totals[1] - totals[0]) / requests


def cpu_seconds(pid):
    """User + system CPU of `pid` and its live children (nginx's worker), from /proc/PID/stat."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(child) for child in f.read().split()]
    except OSError:
        pass
    for each in pids:
        try:
            with open(f"/proc/{each}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def measured(server, script, connections, duration, env=None):
    """One wrk run, with the server's CPU per request (µs) from /proc/PID/stat around it."""
    before = cpu_seconds(server.proc.pid)
    r = wrk(server.port, script, connections, duration, env)
    r["cpu_us_per_request"] = (cpu_seconds(server.proc.pid) - before) * 1e6 / max(1, r["requests"])
    return r


def median_of(runs):
    """The runs' medians (rates, latencies, CPU), their summed errors and the rate's range."""
    def med(key):
        values = sorted(run[key] for run in runs)
        return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    return {"rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"), "p999_us": med("p999_us"),
            "cpu_us_per_request": med("cpu_us_per_request"), "errors": sum(run["errors"] for run in runs),
            "rps_min": min(run["rps"] for run in runs), "rps_max": max(run["rps"] for run in runs),
            "rounds": runs}


def spread(r):
    return (f"median of {len(r['rounds'])}, range {r['rps_min']:,.0f}–{r['rps_max']:,.0f} req/s; "
            f"server CPU {r['cpu_us_per_request']:.1f} µs/request")


def ms(us):
    return f"{us / 1000:.2f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller populations")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternated rounds of the nginx, GET / and GET /profile scenarios (medians reported)")
    args = parser.parse_args()
    d = 3 if args.quick else args.duration
    idle_count = 2000 if args.quick else 10000
    binary = os.path.abspath(args.binary)
    cores = os.cpu_count()
    rows = []
    notes = []
    raw = {}

    with tempfile.TemporaryDirectory(prefix="authd-bench-") as work:
        nginx = start_nginx(work)
        try:
            authd = start_authd(binary, work, os.path.join(work, "bench.db"))
        except BaseException:
            nginx.stop()
            raise
        try:
            call(authd.port, "POST", "/users", {"email": "bench%40b.c", "password": "pw"})
            _, cookie, _ = call(authd.port, "POST", "/sessions", {"email": "bench%40b.c", "password": "pw"})
            sid = session_of(cookie)
            profile = {"WRK_PATH": "/profile", "WRK_COOKIE": sid}
            # Alternated rounds, both servers up throughout: one disturbed run on a shared machine
            # then moves a median by one place instead of deciding a ratio.
            runs = {"nginx": [], "nginx_1000": [], "root": [], 64: [], 1000: []}
            for _ in range(max(1, args.rounds)):
                runs["nginx"].append(measured(nginx, "get.lua", 64, d))
                # nginx at 1 000 connections too: the like-for-like reference for /profile at 1 000.
                runs["nginx_1000"].append(measured(nginx, "get.lua", 1000, d))
                runs["root"].append(measured(authd, "get.lua", 64, d))
                for conns in (64, 1000):
                    runs[conns].append(measured(authd, "get.lua", conns, d, profile))
        except BaseException:
            authd.stop()
            raise
        finally:
            nginx.stop()
        try:
            base = median_of(runs["nginx"])
            raw["nginx_get_root_64"] = base
            rows.append(("nginx `GET /`, 64 conns (baseline)", base, f"1.00 × nginx; {spread(base)}"))
            wide = median_of(runs["nginx_1000"])
            raw["nginx_get_root_1000"] = wide
            rows.append(("nginx `GET /`, 1000 conns", wide, f"{wide['rps'] / base['rps']:.2f} × nginx; {spread(wide)}"))
            r = median_of(runs["root"])
            raw["authd_get_root_64"] = r
            rows.append(("authd `GET /`, 64 conns", r,
                         f"{r['rps'] / base['rps']:.2f} × nginx (target ≥ 1.05); {spread(r)}"))
            for conns in (64, 1000):
                r = median_of(runs[conns])
                raw[f"authd_profile_{conns}"] = r
                same = "" if conns == 64 else f", {r['rps'] / wide['rps']:.2f} × nginx `GET /` at 1000"
                rows.append((f"authd `GET /profile`, {conns} conns", r,
                             f"{r['rps'] / base['rps']:.2f} × nginx `GET /` at 64{same} (target ≥ 0.7, p99 < 3 ms "
                             f"at 64); {spread(r)}"))

            single = wrk(authd.port, "login.lua", 1, d, {"WRK_EMAIL": "bench%40b.c", "WRK_PASSWORD": "pw"})
            hash_ms = single["p50_us"] / 1000
            limit = cores / (hash_ms / 1000)
            raw["authd_login_1"] = single
            rows.append(("authd `POST /sessions`, 1 conn (≈ one bcrypt verify)", single,
                         f"hash ≈ {hash_ms:.0f} ms → limit {limit:.1f} logins/s on {cores} cores"))
            # bcrypt scenarios run long enough for many hash rounds per connection, and wait for
            # the pool to drain afterwards so the next scenario does not queue behind them.
            slow = max(d, 20)
            drain = lambda conns: time.sleep(conns * hash_ms / 1000 / cores + 1)
            for conns in (8, 64):
                r = wrk(authd.port, "login.lua", conns, slow, {"WRK_EMAIL": "bench%40b.c", "WRK_PASSWORD": "pw"},
                        timeout=30)
                drain(conns)
                raw[f"authd_login_{conns}"] = r
                rows.append((f"authd `POST /sessions`, {conns} conns", r,
                             f"{r['rps'] / limit:.2f} × bcrypt limit (target ≥ 0.9)"))
            for conns in (8, 64):
                r = wrk(authd.port, "register.lua", conns, slow, {"WRK_PREFIX": f"reg{conns}"}, timeout=30)
                drain(conns)
                raw[f"authd_register_{conns}"] = r
                rows.append((f"authd `POST /users`, {conns} conns", r, f"{r['rps'] / limit:.2f} × bcrypt limit"))

            # Profile reads while another user's login flood keeps every hash thread busy.
            call(authd.port, "POST", "/users", {"email": "flood%40b.c", "password": "pw"})
            _, cookie, _ = call(authd.port, "POST", "/sessions", {"email": "bench%40b.c", "password": "pw"})
            sid = session_of(cookie)
            flood = subprocess.Popen(
                ["wrk", "-t1", "-c64", f"-d{d + 2}s", "--timeout", "10s", "-s", os.path.join(HERE, "login.lua"),
                 f"http://127.0.0.1:{authd.port}"],
                env={**os.environ, "WRK_REPORT": os.path.join(HERE, "report.lua"),
                     "WRK_EMAIL": "flood%40b.c", "WRK_PASSWORD": "pw"},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            r = wrk(authd.port, "get.lua", 8, d, {"WRK_PATH": "/profile", "WRK_COOKIE": sid})
            flood.wait(timeout=d + 60)
            drain(64)
            raw["authd_profile_during_login_flood"] = r
            rows.append(("authd `GET /profile`, 8 conns, during a 64-conn login flood", r, "p99 target < 10 ms"))

            flow = mixed_flow(authd.port, clients=8, flows_per_client=2 if args.quick else 5)
            raw["mixed_flow"] = flow
            notes.append(f"Mixed flow (register → login → profile ×10 → logout, 8 clients): "
                         f"{flow['flows']} flows in {flow['seconds']:.1f} s, {flow['failures']} failed checks, "
                         f"request p50 {ms(flow['p50_us'])}, p99 {ms(flow['p99_us'])}, p99.9 {ms(flow['p999_us'])}.")

            idle = idle_connections(authd, idle_count)
            raw["idle"] = idle
            notes.append(f"Idle keep-alive: {idle['connections']} connections ({idle['answered']} answered), "
                         f"RSS {idle['rss_before_kib'] / 1024:.1f} → {idle['rss_after_kib'] / 1024:.1f} MiB, "
                         f"{idle['per_connection_bytes']:.0f} bytes per connection "
                         f"(target: 10 000 in ≤ 64 MiB total).")
        finally:
            authd.stop()

        big = os.path.join(work, "big.db")
        make_big_database(big, 10000 if args.quick else 100000)
        # The first start on a seed-made file builds authd's indexes once; later starts find them.
        first = startup_time(binary, work, big)
        again = startup_time(binary, work, big)
        raw["startup_first_ms"], raw["startup_ms"] = first, again
        notes.append(f"Start-up to first answer with a {'10 000' if args.quick else '100 000'}-user database: "
                     f"{again:.1f} ms (target < 100 ms); the very first start on a seed-made file, which "
                     f"builds the email/session/token indexes once, took {first:.1f} ms.")

        if subprocess.run(["which", "valgrind"], capture_output=True).returncode == 0:
            instructions = callgrind_instructions(binary, work, 200 if args.quick else 2000)
            raw["instructions_per_profile"] = instructions
            n = 200 if args.quick else 2000
            nginx_root = callgrind_get_root(
                lambda port, _: ["nginx", "-c", write_nginx_conf(work, port, single_process=True), "-p", work], n)
            authd_root = callgrind_get_root(
                lambda port, k: [binary, "--port", str(port), "--database", os.path.join(work, f"root-{k}.db"),
                                 "--log-level", "warning"], n)
            raw["instructions_per_root"] = {"nginx": nginx_root, "authd": authd_root}
            notes.append(f"callgrind, keep-alive `GET /`: authd {authd_root:,.0f} vs nginx {nginx_root:,.0f} "
                         f"instructions per request ({authd_root / nginx_root:.2f} × nginx; lower is better).")
            notes.append(f"callgrind: {instructions:,.0f} instructions per `GET /profile` "
                         "(whole process: reactor, store thread; repeatable on a noisy machine).")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# authd load benchmark",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- commit: {commit}",
        f"- machine: {cores} cores, {cpu}, {platform.system()} {platform.release()}",
        f"- wrk: 1 thread, {d} s per scenario, loopback; authd release build, fresh database, bcrypt cost 12",
        "",
        "| scenario | req/s | p50 | p99 | p99.9 | errors | ratio |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r, ratio in rows:
        lines.append(f"| {name} | {r['rps']:,.0f} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | {ms(r['p999_us'])} "
                     f"| {r['errors']} | {ratio} |")
    lines.append("")
    lines.extend(f"- {n}" for n in notes)
    lines.append("")
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(RESULTS, "latest.json"), "w") as f:
        json.dump(raw, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
