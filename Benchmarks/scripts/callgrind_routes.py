#!/usr/bin/env python3
"""callgrind instructions per keep-alive GET /, GET /profile and the gate's GET /verify of one
authd binary, with the harness's own functions:
python3 Benchmarks/scripts/callgrind_routes.py .build/release/authd [N]
GET /profile and GET /verify are measured twice: the same cookie on every request (a browser's
keep-alive connection, whose remembered session key serves), and two users' cookies in turn (a
proxy's pooled connection, where it never does)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service_bench as sb  # noqa: E402

binary = os.path.abspath(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
work = tempfile.mkdtemp(prefix="cg-")
profile = sb.callgrind_instructions(binary, work, n)
alternating = sb.callgrind_instructions(binary, work, n, users=2)
root = sb.callgrind_get_root(lambda port, k: [binary, "--port", str(port), "--database",
                             os.path.join(work, f"root-{k}.db"), "--log-level", "warning"], n)
verify = sb.callgrind_instructions(binary, work, n, path="/verify")
verify_alternating = sb.callgrind_instructions(binary, work, n, users=2, path="/verify")
print(f"GET / {root:,.0f}  GET /profile {profile:,.0f}, two cookies in turn {alternating:,.0f}"
      f"  GET /verify {verify:,.0f}, two cookies in turn {verify_alternating:,.0f}"
      f"  ({os.path.basename(binary)}, n={n})")
