"""Import time of the Lambda handler module, as a cold start pays it.

Runs ``import app`` in N fresh interpreter processes and prints the median and spread, and whether
the heavy SDKs (stripe, opensearchpy) were imported by it. Not a timed test: it prints figures.

    python -m bench.coldstart [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys, time
sys.path.insert(0, {functions!r})
started = time.perf_counter()
import app  # noqa: F401
elapsed = time.perf_counter() - started
print(json.dumps({{"ms": elapsed * 1000, "stripe": "stripe" in sys.modules,
                   "opensearchpy": "opensearchpy" in sys.modules, "modules": len(sys.modules)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_TRACE_DISABLED="true",
               PYTHONDONTWRITEBYTECODE="0")
    code = PROBE.format(functions=str(REPO / "functions"))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # warm the disk cache
    samples = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times = sorted(s["ms"] for s in samples)
    version = sys.version.split()[0]
    print(f"bench/coldstart: import of functions/app.py in {args.runs} fresh processes (python {version})")
    print(f"  median {statistics.median(times):.1f} ms   min {times[0]:.1f} ms   max {times[-1]:.1f} ms"
          f"   (goal: median under 300 ms)")
    print(f"  stripe imported: {any(s['stripe'] for s in samples)}   "
          f"opensearchpy imported: {any(s['opensearchpy'] for s in samples)}   "
          f"modules loaded: {samples[-1]['modules']}")


if __name__ == "__main__":
    main()
