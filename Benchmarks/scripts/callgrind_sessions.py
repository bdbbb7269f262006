#!/usr/bin/env python3
"""callgrind instructions per keep-alive GET /profile of one authd binary under the settings of
sessions per device: the default (one session per user), `--sessions-per-user 10` with five
sessions per user, and `--session-idle-timeout 10m` (whose last-use writes come at most once a
minute, so none falls in the run):
python3 Benchmarks/scripts/callgrind_sessions.py .build/release/authd [N]
Compare with GET /profile of callgrind_routes.py on a binary from before sessions per device."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service_bench as sb  # noqa: E402

binary = os.path.abspath(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
work = tempfile.mkdtemp(prefix="cg-sessions-")
default = sb.callgrind_instructions(binary, work, n)
many = sb.callgrind_instructions(binary, work, n, extra=("--sessions-per-user", "10"), logins=5)
idle = sb.callgrind_instructions(binary, work, n, extra=("--session-idle-timeout", "10m"))
print(f"GET /profile {default:,.0f}  at --sessions-per-user 10 with 5 sessions {many:,.0f}"
      f"  with --session-idle-timeout 10m {idle:,.0f}  ({os.path.basename(binary)}, n={n})")
