"""Cold start: a fresh process importing the Lambda handler module, against one importing only what any
Chalice function on boto3 and pydantic imports (``boto3``, ``pydantic``, ``chalice``).

Runs both in N fresh interpreter processes each, alternately (so a change of the machine's load falls on both),
and prints the medians of the whole process's wall time and their ratio (goal: at most 1.4), the import time of
``app`` inside its process, and whether the heavy SDKs (stripe, opensearchpy, tantivy, argon2, aws_xray_sdk)
were imported by it. Not a timed test: it prints figures.

    python -m bench.coldstart [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("stripe", "opensearchpy", "tantivy", "argon2", "aws_xray_sdk", "aws_lambda_powertools", "boto3", "pynamodb")
GOAL_RATIO = 1.4

APP = """
import json, sys, time
sys.path.insert(0, {functions!r})
started = time.perf_counter()
import app  # noqa: F401
elapsed = time.perf_counter() - started
print(json.dumps({{"ms": elapsed * 1000, "heavy": {{m: m in sys.modules for m in {heavy!r}}},
                   "modules": len(sys.modules)}}))
"""

BASELINE = "import boto3, pydantic, chalice  # noqa: F401"


def _run(code: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return (time.perf_counter() - started) * 1000, out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_TRACE_DISABLED="true")
    app_code = APP.format(functions=str(REPO / "functions"), heavy=HEAVY)
    for code in (app_code, BASELINE):  # warm the disk cache and the bytecode
        _run(code, env)
    app_wall, base_wall, samples = [], [], []
    for _ in range(args.runs):
        wall, stdout = _run(app_code, env)
        app_wall.append(wall)
        samples.append(json.loads(stdout.strip().splitlines()[-1]))
        base_wall.append(_run(BASELINE, env)[0])
    app_ms, base_ms = statistics.median(app_wall), statistics.median(base_wall)
    imports = sorted(s["ms"] for s in samples)
    version = sys.version.split()[0]
    print(f"bench/coldstart: {args.runs} fresh processes each, alternately (python {version})")
    print(f"  whole process, import app:                       median {app_ms:.1f} ms"
          f"   min {min(app_wall):.1f}   max {max(app_wall):.1f}")
    print(f"  whole process, import boto3, pydantic, chalice:  median {base_ms:.1f} ms"
          f"   min {min(base_wall):.1f}   max {max(base_wall):.1f}")
    print(f"  ratio {app_ms / base_ms:.2f}   (goal: at most {GOAL_RATIO})")
    print(f"  import of app inside its process: median {statistics.median(imports):.1f} ms"
          f"   modules loaded: {samples[-1]['modules']}")
    heavy = {m: any(s["heavy"][m] for s in samples) for m in HEAVY}
    print("  imported by app: " + "   ".join(f"{m}: {'yes' if v else 'no'}" for m, v in heavy.items()))


if __name__ == "__main__":
    main()
