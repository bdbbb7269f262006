#!/usr/bin/env python3
"""callgrind instructions per keep-alive GET / and GET /profile of one authd binary, with the
harness's own functions: python3 Benchmarks/scripts/callgrind_routes.py .build/release/authd [N]"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service_bench as sb  # noqa: E402

binary = os.path.abspath(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
work = tempfile.mkdtemp(prefix="cg-")
profile = sb.callgrind_instructions(binary, work, n)
root = sb.callgrind_get_root(lambda port, k: [binary, "--port", str(port), "--database",
                             os.path.join(work, f"root-{k}.db"), "--log-level", "warning"], n)
print(f"GET / {root:,.0f}  GET /profile {profile:,.0f}  ({os.path.basename(binary)}, n={n})")
