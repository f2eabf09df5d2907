"""Warm, in-process latency and CPU time per request of sign-up, login and GET /me.

The Chalice app is called as API Gateway calls the Lambda handler (Chalice's local gateway builds the
event), against DynamoDB Local, moto and localstripe started in memory. Each operation is warmed up, then
measured N times: wall-clock p50/p95 and process CPU time per request (the handler's own CPU, which is
what Lambda bills; DynamoDB Local's Java process is not counted).

    python -m bench.api [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    sys.path[:0] = [str(REPO), str(REPO / "functions")]
    from infra.local.services import LocalServices

    services = LocalServices(None)
    services.start()
    try:
        os.environ.update(services.environment() | {
            "GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": str(10 * args.requests),
            "GIGCONNECT_LOGIN_PER_EMAIL_PER_15MIN": str(10 * args.requests),
            "GIGCONNECT_LOGIN_PER_IP_PER_15MIN": str(10 * args.requests),
            "POWERTOOLS_METRICS_DISABLED": "true",
        })
        from app import app
        from chalice.test import Client

        headers = {"Content-Type": "application/json"}
        with Client(app) as client:

            def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
                sent = dict(headers) | ({"Authorization": f"Bearer {token}"} if token else {})
                raw = json.dumps(body).encode() if body is not None else b""
                answer = client.http.request(method, path, headers=sent, body=raw)
                if answer.status_code >= 400:
                    raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body[:200]!r}")
                return answer

            def signup_body() -> dict[str, Any]:
                return {"email": f"bench-{uuid.uuid4().hex}@example.com", "password": "correct horse battery",
                        "name": "Bench", "roles": ["client"]}

            session = call("POST", "/auth/signup", signup_body()).json_body
            email = session["user"]["email"]
            token = session["access_token"]
            operations = {
                "POST /auth/signup": lambda: call("POST", "/auth/signup", signup_body()),
                "POST /auth/login": lambda: call("POST", "/auth/login",
                                                 {"email": email, "password": "correct horse battery"}),
                "GET /me": lambda: call("GET", "/me", token=token),
            }
            print(f"bench/api: {args.requests} warm requests each, in process, against DynamoDB Local "
                  f"(python {sys.version.split()[0]})")
            print(f"{'operation':<20}{'p50 ms':>10}{'p95 ms':>10}{'CPU ms/req':>12}")
            for name, run in operations.items():
                for _ in range(10):
                    run()
                walls: list[float] = []
                cpu_started = time.process_time()
                for _ in range(args.requests):
                    started = time.perf_counter()
                    run()
                    walls.append((time.perf_counter() - started) * 1000)
                cpu = (time.process_time() - cpu_started) * 1000 / args.requests
                print(f"{name:<20}{statistics.median(walls):>10.1f}{percentile(walls, 95):>10.1f}{cpu:>12.1f}")
            print("Sign-up and login are dominated by Argon2id (t=3, m=64 MiB, p=4), by design.")
    finally:
        services.stop()


if __name__ == "__main__":
    main()
