#!/usr/bin/env python3
"""The gate's speed (issue 23), in one run on loopback, rounds alternated, medians reported:
python3 Benchmarks/scripts/gate_bench.py AUTHD_BINARY [--duration SECONDS] [--rounds N]

- authd's `GET /verify` with a session cookie against nginx's `GET /` (`return 200`), 64 connections;
- a small static page served by nginx through `auth_request` to authd's `/verify`, against the same
  page unprotected, 64 connections: once over a keep-alive upstream (as docs/gate/nginx.conf
  does) and once with a new connection for every check;
- the reference: the same page through `auth_request`, the same keep-alive upstream, to an ideal
  auth backend (a second one-worker nginx answering `return 200` with `Remote-User` and
  `Remote-Email`), the best any auth server can get behind this nginx;
- the CPU per check: authd's (or the ideal backend's) user + system time over the requests answered.

Every process it starts it stops by PID. Writes results/gate-latest.md and results/gate-latest.json.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service_bench as sb  # noqa: E402

PAGE = "<!doctype html><title>app</title><p>A small page of the application behind the gate.</p>\n"


# The keep-alive upstream's lines of docs/gate/nginx.conf, for authd and for the ideal backend.
UPSTREAM_POOL = """        keepalive 128;
        keepalive_requests 1000000;"""


def ideal_backend_conf(workdir, port):
    """A second nginx (one worker) answering every check 200 with an identity, at once."""
    return sb.nginx_conf(workdir, "ideal-backend", f"""    server {{
        listen 127.0.0.1:{port};
        location / {{
            add_header Remote-User 1;
            add_header Remote-Email gate@b.c;
            return 200 '';
        }}
    }}""")


def gate_nginx_conf(workdir, ports, authd_port, ideal_port):
    """One nginx (one worker) with five servers: `GET /` as `return 200` (the baseline), the static
    page unprotected, the page through `auth_request` with a new connection per check, the page
    through `auth_request` over a keep-alive upstream (the check's lines are those of
    docs/gate/nginx.conf), and the same to the ideal backend."""
    site = os.path.join(workdir, "site")
    os.makedirs(site, exist_ok=True)
    # nginx's worker runs as nobody when started by root: the page must be readable to it.
    os.chmod(workdir, 0o755)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write(PAGE)
    guarded = """
            auth_request /authd-verify;
            auth_request_set $authd_user $upstream_http_remote_user;
            auth_request_set $authd_email $upstream_http_remote_email;
            add_header X-Seen-User $authd_user;"""
    pooled_check = """
        location = /authd-verify {{
            internal;
            proxy_pass http://{0}/verify;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
        }}"""
    return sb.nginx_conf(workdir, "gate-nginx", f"""    upstream authd {{
        server 127.0.0.1:{authd_port};
{UPSTREAM_POOL}
    }}
    upstream ideal {{
        server 127.0.0.1:{ideal_port};
{UPSTREAM_POOL}
    }}
    server {{
        listen 127.0.0.1:{ports['root']};
        location / {{
            default_type application/json;
            return 200 '{sb.WELCOME.strip()}\\n';
        }}
    }}
    server {{
        listen 127.0.0.1:{ports['open']};
        root {site};
    }}
    server {{
        listen 127.0.0.1:{ports['guarded']};
        root {site};
        location / {{{guarded}
        }}
        location = /authd-verify {{
            internal;
            proxy_pass http://127.0.0.1:{authd_port}/verify;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
        }}
    }}
    server {{
        listen 127.0.0.1:{ports['pooled']};
        root {site};
        location / {{{guarded}
        }}{pooled_check.format('authd')}
    }}
    server {{
        listen 127.0.0.1:{ports['ideal']};
        root {site};
        location / {{{guarded}
        }}{pooled_check.format('ideal')}
    }}""")


class Port:
    """A port of the shared nginx, measured as a server of its own (CPU: the nginx's and authd's)."""

    def __init__(self, port, proc):
        self.port = port
        self.proc = proc


def measured_with_checker(target, checker, script, connections, duration, env):
    """`sb.measured` plus the CPU per request of `checker`, the server answering the checks."""
    before = sb.cpu_seconds(checker.proc.pid)
    r = sb.measured(target, script, connections, duration, env)
    r["check_cpu_us_per_request"] = (sb.cpu_seconds(checker.proc.pid) - before) * 1e6 / max(1, r["requests"])
    return r


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    d, c = args.duration, args.connections
    loads = [load_average()]
    runs = {k: [] for k in ("nginx", "verify", "profile", "open", "guarded", "pooled", "ideal")}

    with tempfile.TemporaryDirectory(prefix="authd-gate-bench-") as work:
        authd = sb.start_authd(binary, work, os.path.join(work, "gate.db"))
        nginx = ideal = None
        try:
            ports = {k: sb.free_port() for k in ("root", "open", "guarded", "pooled", "ideal", "backend")}
            ideal = sb.Server(["nginx", "-c", ideal_backend_conf(work, ports["backend"]), "-p", work],
                              ports["backend"])
            conf = gate_nginx_conf(work, ports, authd.port, ports["backend"])
            nginx = sb.Server(["nginx", "-c", conf, "-p", work], ports["root"])
            for k in ("open", "guarded", "pooled", "ideal"):
                sb.wait_port(ports[k])
            sb.call(authd.port, "POST", "/users", {"email": "gate%40b.c", "password": "pw"})
            _, cookie, _ = sb.call(authd.port, "POST", "/sessions", {"email": "gate%40b.c", "password": "pw"})
            sid = sb.session_of(cookie)
            with_cookie = {"WRK_COOKIE": sid}
            # Every protected request must be let through: a 401 would be cheaper and count as an error.
            for k in ("guarded", "pooled", "ideal"):
                status, _, _ = sb.call(ports[k], "GET", "/", cookie=sid)
                if status != 200:
                    raise RuntimeError(f"the protected page ({k}) answered {status} with a valid cookie")
            # Alternated rounds, all servers up throughout: a disturbed run moves a median by one place.
            for _ in range(max(1, args.rounds)):
                runs["nginx"].append(sb.measured(nginx, "get.lua", c, d))
                runs["verify"].append(sb.measured(authd, "get.lua", c, d, {**with_cookie, "WRK_PATH": "/verify"}))
                runs["profile"].append(sb.measured(authd, "get.lua", c, d, {**with_cookie, "WRK_PATH": "/profile"}))
                for k in ("open", "guarded", "pooled", "ideal"):
                    checker = ideal if k == "ideal" else authd
                    runs[k].append(measured_with_checker(Port(ports[k], nginx.proc), checker, "get.lua", c, d,
                                                         with_cookie))
                loads.append(load_average())
        finally:
            for server in (nginx, ideal):
                if server:
                    server.stop()
            authd.stop()

    m = {k: sb.median_of(v) for k, v in runs.items()}
    for k in ("open", "guarded", "pooled", "ideal"):
        m[k]["check_cpu_us_per_request"] = sorted(r["check_cpu_us_per_request"] for r in runs[k])[len(runs[k]) // 2]
    base, page, best = m["nginx"], m["open"], m["ideal"]
    rows = [
        ("nginx `GET /` (`return 200`)", base, "1.00", "nginx", "nginx"),
        ("authd `GET /verify` with a cookie", m["verify"], f"{m['verify']['rps'] / base['rps']:.2f} × nginx `GET /` "
         "(target ≥ 0.85)", "authd", "authd"),
        ("authd `GET /profile` with a cookie", m["profile"], f"{m['profile']['rps'] / base['rps']:.2f} × nginx `GET /`",
         "authd", "authd"),
        ("nginx static page, unprotected", page, "1.00", "nginx", "nginx"),
        ("nginx static page through `auth_request`, a new connection per check", m["guarded"],
         f"{m['guarded']['rps'] / page['rps']:.2f} × unprotected", "nginx", "both"),
        ("nginx static page through `auth_request`, keep-alive upstream (docs/gate/nginx.conf)", m["pooled"],
         f"{m['pooled']['rps'] / page['rps']:.2f} × unprotected (target ≥ 0.5); "
         f"{m['pooled']['rps'] / best['rps']:.2f} × the ideal backend", "nginx", "both"),
        ("reference: the same through `auth_request` to an ideal backend (nginx `return 200` with the identity)",
         best, f"{best['rps'] / page['rps']:.2f} × unprotected", "nginx", "ideal"),
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=sb.HERE).stdout.strip()
    lines = [
        "# authd gate benchmark",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- commit: {commit}",
        f"- machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"load average before and after each round: {' → '.join(loads)}",
        f"- wrk: 1 thread, {c} connections, {d} s per scenario, {args.rounds} alternated rounds (medians); "
        "one nginx worker; wall-clock figures on a shared machine are noisy: compare the ratios",
        "",
        "| scenario | req/s (median [range]) | p99 | errors | ratio | CPU per request |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, r, ratio, _, who in rows:
        if who in ("both", "ideal"):
            checker = "authd" if who == "both" else "the ideal backend"
            cpu = f"nginx {r['cpu_us_per_request']:.1f} µs + {checker} (the check) {r['check_cpu_us_per_request']:.1f} µs"
        else:
            cpu = f"{who} {r['cpu_us_per_request']:.1f} µs"
        lines.append(f"| {name} | {r['rps']:,.0f} [{r['rps_min']:,.0f}–{r['rps_max']:,.0f}] | {sb.ms(r['p99_us'])} "
                     f"| {r['errors']} | {ratio} | {cpu} |")
    lines.append("")
    os.makedirs(sb.RESULTS, exist_ok=True)
    with open(os.path.join(sb.RESULTS, "gate-latest.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(sb.RESULTS, "gate-latest.json"), "w") as f:
        json.dump(m, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
