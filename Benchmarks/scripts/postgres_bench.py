#!/usr/bin/env python3
"""authd on PostgreSQL against nginx and authd on SQLite, in the same run, on loopback only.

Starts a throwaway PostgreSQL cluster (initdb in a temporary folder, as the postgres user when run
as root), nginx (the baseline `GET /`, and the proxy in front of two nodes), and authd: on SQLite,
on PostgreSQL with one node, and with two nodes behind one nginx port. Rounds alternate the
servers; medians and ranges are reported. Every process it starts it stops by PID.
Usage: postgres_bench.py AUTHD_BINARY [--duration SECONDS] [--rounds N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_bench import (  # noqa: E402
    Server, call, free_port, nginx_conf, session_of, start_authd, start_nginx, wait_port, wrk)

PG_BIN = os.environ.get("AUTHD_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin")


class Cluster:
    """A PostgreSQL cluster in a temporary folder, stopped by its own pg_ctl."""

    def __init__(self, folder):
        self.data = os.path.join(folder, "pgdata")
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        os.makedirs(self.data)
        if self.as_user:
            shutil.chown(folder, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run(self.as_user + [f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"],
                       check=True, stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=50"
        subprocess.run(self.as_user + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-o", options, "-w", "-l",
                                       os.path.join(self.data, "log"), "start"], check=True, stdout=subprocess.DEVNULL)
        wait_port(self.port)

    def url(self, database="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        subprocess.run(["psql", "-q", self.url(), "-c", f"CREATE DATABASE {name}"], check=True)
        return self.url(name)

    def stop(self):
        subprocess.run(self.as_user + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_proxy(workdir, ports):
    """nginx on one port in front of `ports` (round robin, keep-alive to the nodes)."""
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
    conf = nginx_conf(workdir, f"proxy-{port}", f"""    upstream authd {{
{servers}
        keepalive 128;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://authd;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}""")
    return Server(["nginx", "-c", conf, "-p", workdir], port)


def profile_cookie(port, email):
    call(port, "POST", "/users", {"email": email, "password": "pw"})
    _, cookie, _ = call(port, "POST", "/sessions", {"email": email, "password": "pw"})
    return session_of(cookie)


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    d = args.duration
    binary = os.path.abspath(args.binary)
    cores = os.cpu_count()
    results = {}

    def note(name, value):
        results.setdefault(name, []).append(value)

    with tempfile.TemporaryDirectory(prefix="authd-pgbench-") as work:
        os.chmod(work, 0o755)
        cluster = Cluster(os.path.join(work, "pg"))
        servers = []
        try:
            one = start_authd(binary, work, cluster.create_database("one"), ["--no-access-log"])
            servers.append(one)
            two_url = cluster.create_database("two")
            nodes = [start_authd(binary, work, two_url, ["--no-access-log"]) for _ in range(2)]
            servers.extend(nodes)
            proxy = start_proxy(work, [n.port for n in nodes])
            servers.append(proxy)
            lite = start_authd(binary, work, os.path.join(work, "bench.db"), ["--no-access-log"])
            servers.append(lite)
            cookies = {"sqlite": profile_cookie(lite.port, "bench%40b.c"),
                       "pg1": profile_cookie(one.port, "bench%40b.c"),
                       "pg2": profile_cookie(proxy.port, "bench%40b.c")}
            targets = {"sqlite": lite.port, "pg1": one.port, "pg2": proxy.port}
            # Logins go to another user: each one replaces its user's session, which the profile
            # rounds must keep.
            for port in (one.port, proxy.port):
                call(port, "POST", "/users", {"email": "login%40b.c", "password": "pw"})
            single = wrk(one.port, "login.lua", 1, d, {"WRK_EMAIL": "login%40b.c", "WRK_PASSWORD": "pw"})
            hash_ms = single["p50_us"] / 1000
            limit = cores / (hash_ms / 1000)
            for _ in range(args.rounds):
                nginx = start_nginx(work)
                try:
                    note("nginx", wrk(nginx.port, "get.lua", 64, d)["rps"])
                finally:
                    nginx.stop()
                for name, port in targets.items():
                    r = wrk(port, "get.lua", 64, d, {"WRK_PATH": "/profile", "WRK_COOKIE": cookies[name]})
                    note(f"profile_{name}", r["rps"])
                    note(f"profile_{name}_p99", r["p99_us"])
                    note(f"profile_{name}_errors", r["errors"] + r["non2xx"])
                for name in ("pg1", "pg2"):
                    r = wrk(targets[name], "login.lua", 64, max(d, 10),
                            {"WRK_EMAIL": "login%40b.c", "WRK_PASSWORD": "pw"}, timeout=30)
                    time.sleep(64 * hash_ms / 1000 / cores + 1)
                    note(f"login_{name}", r["rps"])
                    note(f"login_{name}_errors", r["errors"] + r["non2xx"])
        finally:
            for server in servers:
                server.stop()
            cluster.stop()

    nginx = statistics.median(results["nginx"])
    lines = [f"# authd on PostgreSQL ({args.rounds} alternated rounds of {d} s, wrk -t1, medians [range])", "",
             f"nginx `GET /`: {nginx:,.0f} req/s", f"bcrypt: {hash_ms:.0f} ms a verify → {limit:.1f} logins/s "
             f"on {cores} cores", "", "| scenario | req/s | ratio | p99 | errors |", "|---|---:|---:|---:|---:|"]
    labels = {"sqlite": "SQLite, one node", "pg1": "PostgreSQL, one node", "pg2": "PostgreSQL, two nodes behind nginx"}
    for name, label in labels.items():
        median, low, high = summary(results[f"profile_{name}"])
        p99 = statistics.median(results[f"profile_{name}_p99"]) / 1000
        lines.append(f"| `GET /profile` 64 conns, {label} | {median:,.0f} [{low:,.0f}–{high:,.0f}] | "
                     f"{median / nginx:.2f} × nginx | {p99:.2f} ms | {sum(results[f'profile_{name}_errors'])} |")
    for name in ("pg1", "pg2"):
        median, low, high = summary(results[f"login_{name}"])
        lines.append(f"| `POST /sessions` 64 conns, {labels[name]} | {median:,.1f} [{low:,.1f}–{high:,.1f}] | "
                     f"{median / limit:.2f} × bcrypt limit | | {sum(results[f'login_{name}_errors'])} |")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
