"""``make load``: the load scenarios (tests/load/locustfile.py) against the local stack, for a bounded time.

Uses the stack already answering on 127.0.0.1:8000 (``make run``; WebSocket on :8001) when there is one;
otherwise starts one the way ``make run`` does, with several API worker processes and in-memory data, and
stops it at the end. ``--host URL`` (and ``--ws-url URL``) aims at a deployed stage instead.

    python -m tests.load.run [--host URL] [--ws-url URL] [--workers 6] [--background-workers 2]
        [--steps 2,4,8,16,32,48,64,96] [--step-seconds 15]

The report (Markdown, JSON and a PNG chart) goes to bench/out/load-<time>/; its path is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]

# The stack this script starts lets the seeding sign up and the "sign in" scenario log in many times; a
# stack that runs with its own settings keeps its limits (the scenarios then meet 429s: see the report).
GENEROUS_LIMITS = {
    "GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "100000",
    "GIGCONNECT_LOGIN_PER_EMAIL_PER_15MIN": "100000",
    "GIGCONNECT_LOGIN_PER_IP_PER_15MIN": "100000",
    # The chat scenario's six senders each send several messages a second at the top steps.
    "GIGCONNECT_CHAT_MESSAGES_PER_10S": "100000",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def run_locust(host: str, ws_url: str, steps: str, step_seconds: float, out: Path) -> int:
    total = len(steps.split(",")) * step_seconds
    environment = os.environ | {"GIGCONNECT_LOAD_STEPS": steps, "GIGCONNECT_LOAD_STEP_SECONDS": str(step_seconds),
                                "GIGCONNECT_LOAD_OUT": str(out), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "locust", "-f", str(REPO / "tests" / "load" / "locustfile.py"),
               "--headless", "--host", host, "--ws-url", ws_url, "--only-summary", "--loglevel", "WARNING",
               "--stop-timeout", "10", "--exit-code-on-error", "0"]
    # The shape ends the run; the timeout bounds it anyway (the seeding, the steps, and minutes to spare).
    return subprocess.run(command, env=environment, cwd=REPO, timeout=total + 300).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", help="a deployed stage's API URL (default: the local stack)")
    parser.add_argument("--ws-url", default="", help="its WebSocket URL (no chat scenario without one)")
    parser.add_argument("--workers", type=int, default=6, help="API worker processes of a stack started here")
    parser.add_argument("--background-workers", type=int, default=2,
                        help="its worker processes for queue consumers, the stream and schedules")
    parser.add_argument("--steps", default="2,4,8,16,32,48,64,96",
                        help="scenario runs per second offered by each step")
    parser.add_argument("--step-seconds", type=float, default=15.0)
    args = parser.parse_args()
    out = REPO / "bench" / "out" / time.strftime("load-%Y%m%d-%H%M%S")

    if args.host:
        return run_locust(args.host.rstrip("/"), args.ws_url, args.steps, args.step_seconds, out)
    if answers("http://127.0.0.1:8000"):
        print("load: using the stack already on 127.0.0.1:8000 (its rate limits apply)", flush=True)
        return run_locust("http://127.0.0.1:8000", args.ws_url or "ws://127.0.0.1:8001", args.steps,
                          args.step_seconds, out)

    sys.path.insert(0, str(REPO))
    from infra.local.runtime.process import LocalRuntime
    from infra.local.services import LocalServices

    print(f"load: starting the local stack ({args.workers} API workers, {args.background_workers} background "
          "workers, in-memory data)...", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="gigconnect-load-"))
    services = LocalServices(None)
    services.start()
    try:
        environment = services.environment() | GENEROUS_LIMITS | {"GIGCONNECT_SEARCH_PATH": str(scratch / "search")}
        # The ports of ``make run`` when they are free (someone else's process may hold them on a shared machine)
        ports = (8000, 8001) if port_free(8000) and port_free(8001) else (None, None)
        with LocalRuntime(environment, api_port=ports[0], ws_port=ports[1], workers=args.workers,
                          background_workers=args.background_workers, log_file=scratch / "runtime.log") as runtime:
            return run_locust(runtime.api_url, args.ws_url or runtime.ws_url, args.steps, args.step_seconds, out)
    finally:
        services.stop()
        print("load: stopped the stack it started", flush=True)


if __name__ == "__main__":
    sys.exit(main())
