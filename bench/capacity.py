"""Capacity and cost: what the plans' traffic would cost on this serverless design, beside the always-on
fleet the plans describe. Every per-operation figure is measured here, not assumed:

- CPU ms and wall ms per request in the handler (in process, warm, against DynamoDB Local);
- DynamoDB read and write capacity per request (``ReturnConsumedCapacity=TOTAL`` added to every call);
- SQS messages and hence asynchronous Lambda invocations per request: the ones sent during the request, and
  the outbox events written in its transaction (each becomes a stream record, one SQS message and its
  consumer's share of an invocation once the stream router has passed it on).

The mix priced is the plans' traffic over the routes that serve it (MIX below): browsing gigs near the
caller and opening one, signing in, reading one's account and conversations, sending chat messages,
applying, and funding a milestone.

Then the monthly AWS bill of 100, 500 and 1,000 requests/s (with 10x event spikes for 5% of the month) is
priced with the constants below, and drawn to ``bench/out/capacity.png``.

    python -m bench.capacity [--requests 50]

Prices: AWS public on-demand price lists for us-east-1, as the project knew them when this was written
(PRICES_AS_OF); they move, so read the current pages before deciding anything on these figures.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"

PRICES_AS_OF = "2025-06 (AWS pricing pages, us-east-1, on-demand)"
PRICE = {
    "lambda_gb_second": 0.0000166667,
    "lambda_request": 0.20 / 1e6,
    "api_rest_request": 3.50 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,   # on-demand, after the November 2024 price cut
    "dynamodb_read_unit": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "provisioned_gb_second": 0.0000041667,
    # the plans' fleet
    "fargate_vcpu_hour": 0.04048,
    "fargate_gb_hour": 0.004445,
    "rds_r6g_large_hour": 0.225,
    "elasticache_r6g_large_hour": 0.206,
    "opensearch_r6g_large_hour": 0.167,
    "alb_hour": 0.0225,
    "alb_lcu_hour": 0.008,
}
SECONDS_PER_MONTH = 730 * 3600
#: The plans' traffic, per request: browsing (a nearby page, then a gig) is most of it; sign-ins are rare (an
#: access token lasts 15 minutes and is refreshed without a password); money moves on a few requests in a
#: hundred.
MIX = {"GET /gigs/nearby": 0.25, "GET /gigs/{id}": 0.25, "GET /me": 0.10, "GET /users/{id}": 0.05,
       "GET /conversations": 0.10, "POST message": 0.15, "POST /auth/login": 0.03, "POST application": 0.05,
       "POST fund": 0.02}
CITY = (6.5244, 3.3792)
SPIKE_SHARE, SPIKE_FACTOR = 0.05, 10
API_MEMORY_GB = 1.0  # chalicefile.json: api_handler 1024 MB
WORKER_MEMORY_GB = 0.5


@dataclass
class Counter:
    read_units: float = 0.0
    write_units: float = 0.0
    sqs_messages: int = 0
    outbox_events: int = 0
    calls: dict[str, int] = field(default_factory=dict)


COUNTER = Counter()


def _instrument() -> None:
    """Ask DynamoDB for consumed capacity on every call and count SQS sends (boto3 and PynamoDB alike)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    capacity_ops = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                    "BatchWriteItem", "TransactWriteItems", "TransactGetItems"}

    def counted(self: Any, operation: str, params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        if service == "dynamodb" and operation in capacity_ops:
            params = dict(params, ReturnConsumedCapacity="TOTAL")
        answer = original(self, operation, params)
        if service == "dynamodb" and operation in capacity_ops:
            consumed = answer.get("ConsumedCapacity", [])
            for entry in consumed if isinstance(consumed, list) else [consumed]:
                units = float(entry.get("CapacityUnits", 0))
                if operation in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
                    COUNTER.read_units += units
                else:
                    COUNTER.write_units += units
        if service == "dynamodb" and operation in ("TransactWriteItems", "PutItem"):
            puts = [i.get("Put", {}) for i in params.get("TransactItems", [])] or [params]
            COUNTER.outbox_events += sum(1 for put in puts
                                         if str(put.get("Item", {}).get("pk", {}).get("S", "")).startswith("EVENT#"))
        if service == "sqs" and operation in ("SendMessage", "SendMessageBatch"):
            COUNTER.sqs_messages += len(params.get("Entries", [])) or 1
        COUNTER.calls[f"{service}.{operation}"] = COUNTER.calls.get(f"{service}.{operation}", 0) + 1
        return answer

    BaseClient._make_api_call = counted  # type: ignore[method-assign]


@dataclass
class Measured:
    name: str
    cpu_ms: float
    wall_ms: float
    read_units: float
    write_units: float
    sqs_messages: float
    outbox_events: float = 0.0

    @property
    def queued(self) -> float:
        """Messages that reach a worker per request: sent directly, or through the outbox and the stream."""
        return self.sqs_messages + self.outbox_events


def measure(name: str, run: Callable[[], Any], requests: int) -> Measured:
    for _ in range(5):
        run()
    before = (COUNTER.read_units, COUNTER.write_units, COUNTER.sqs_messages, COUNTER.outbox_events)
    walls = []
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        run()
        walls.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / requests
    return Measured(name, cpu, statistics.median(walls), (COUNTER.read_units - before[0]) / requests,
                    (COUNTER.write_units - before[1]) / requests, (COUNTER.sqs_messages - before[2]) / requests,
                    (COUNTER.outbox_events - before[3]) / requests)


def monthly_serverless(rps: float, mix: dict[str, float], ops: dict[str, Measured]) -> dict[str, float]:
    average = rps * (1 + SPIKE_SHARE * (SPIKE_FACTOR - 1))
    requests = average * SECONDS_PER_MONTH
    cost = {"api_gateway": requests * PRICE["api_rest_request"], "lambda_api": 0.0, "lambda_workers": 0.0,
            "dynamodb": 0.0, "sqs": 0.0}
    for name, share in mix.items():
        op = ops[name]
        n = requests * share
        gb_seconds = op.wall_ms / 1000 * API_MEMORY_GB
        cost["lambda_api"] += n * (PRICE["lambda_request"] + gb_seconds * PRICE["lambda_gb_second"])
        cost["dynamodb"] += n * (op.read_units * PRICE["dynamodb_read_unit"]
                                 + op.write_units * PRICE["dynamodb_write_unit"])
        # each queued message: send + receive + delete, and a worker invocation per batch of 10 at ~50 ms
        cost["sqs"] += n * op.queued * 3 * PRICE["sqs_request"]
        cost["lambda_workers"] += n * op.queued / 10 * (PRICE["lambda_request"] + 0.05 * WORKER_MEMORY_GB * 10
                                                              * PRICE["lambda_gb_second"])
    # provisioned concurrency for the baseline (5) all month, like chalicefile.json
    cost["provisioned"] = 5 * API_MEMORY_GB * SECONDS_PER_MONTH * PRICE["provisioned_gb_second"]
    cost["total"] = sum(cost.values())
    return cost


def monthly_fleet(rps: float) -> dict[str, float]:
    pods = min(20, max(3, round(rps / 50)))  # the plans: 3-20 API pods of 512 MiB
    hours = 730
    cost = {
        "api_pods": pods * hours * (0.25 * PRICE["fargate_vcpu_hour"] + 0.5 * PRICE["fargate_gb_hour"]),
        "postgresql_primary_2_replicas": 3 * hours * PRICE["rds_r6g_large_hour"],
        "redis_2_nodes": 2 * hours * PRICE["elasticache_r6g_large_hour"],
        "elasticsearch_3_nodes": 3 * hours * PRICE["opensearch_r6g_large_hour"],
        "load_balancer": hours * (PRICE["alb_hour"] + max(1.0, rps / 25) * PRICE["alb_lcu_hour"]),
    }
    cost["total"] = sum(cost.values())
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    sys.path[:0] = [str(REPO), str(REPO / "functions")]
    from infra.local.services import LocalServices

    services = LocalServices(None)
    services.start()
    try:
        os.environ.update(services.environment() | {
            "GIGCONNECT_SEARCH_PATH": tempfile.mkdtemp(), "POWERTOOLS_METRICS_DISABLED": "true",
            "GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "100000", "GIGCONNECT_LOGIN_PER_EMAIL_PER_15MIN": "100000",
            "GIGCONNECT_LOGIN_PER_IP_PER_15MIN": "100000", "GIGCONNECT_CHAT_MESSAGES_PER_10S": "100000"})
        _instrument()
        import json

        from app import app
        from chalice.test import Client

        from bench.api import gig_body

        with Client(app) as client:
            def call(method: str, path: str, body: Any = None, token: str | None = None,
                     key: bool = False) -> Any:
                headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
                if key:
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                answer = client.http.request(method, path, headers=headers,
                                             body=json.dumps(body).encode() if body is not None else b"")
                if answer.status_code >= 400:
                    raise RuntimeError(f"{method} {path}: {answer.status_code}")
                return answer.json_body

            def account(role: str) -> dict[str, Any]:
                return call("POST", "/auth/signup", {"email": f"cap-{uuid.uuid4().hex}@example.com",
                                                     "password": "correct horse battery", "name": "Cap",
                                                     "roles": [role]})

            a, b, f = account("client"), account("client"), account("freelancer")
            client_token, freelancer_token = a["access_token"], f["access_token"]
            rng = random.Random(5)

            def gig() -> str:
                lat, lng = CITY[0] + rng.uniform(-0.07, 0.07), CITY[1] + rng.uniform(-0.07, 0.07)
                return str(call("POST", "/gigs", gig_body(lat, lng, next(counter), rng), client_token)["id"])

            def apply(gig_id: str) -> Any:
                return call("POST", f"/gigs/{gig_id}/applications",
                            {"cover_letter": "Capacity bench.", "estimated_days": 3,
                             "proposed_rate": {"amount": 600000, "currency": "NGN"}}, freelancer_token)

            counter = iter(range(10**9))
            browsed = [gig() for _ in range(40)]
            to_apply = iter([gig() for _ in range(args.requests + 5)])
            milestones = [{"title": f"Part {i + 1}", "amount": {"amount": 30000, "currency": "NGN"}}
                          for i in range(20)]
            to_fund = []
            for _ in range(math.ceil((args.requests + 5) / 20)):
                contract = call("POST", f"/applications/{apply(gig())['id']}/accept", {"milestones": milestones},
                                client_token)
                to_fund += [(contract["id"], m["id"]) for m in contract["milestones"]]
            funding = iter(to_fund)
            conversation = call("POST", "/conversations", {"participant_ids": [b["user"]["id"]]}, client_token)

            def nearby() -> Any:
                lat, lng = CITY[0] + rng.uniform(-0.03, 0.03), CITY[1] + rng.uniform(-0.03, 0.03)
                return call("GET", f"/gigs/nearby?lat={lat:.5f}&lng={lng:.5f}&radius_km=10&limit=20",
                            token=client_token)

            def fund() -> Any:
                contract_id, milestone_id = next(funding)
                return call("POST", f"/contracts/{contract_id}/milestones/{milestone_id}/fund",
                            {"payment_method_id": "pm_card_visa"}, client_token, key=True)

            operations = {
                "GET /gigs/nearby": nearby,
                "GET /gigs/{id}": lambda: call("GET", f"/gigs/{rng.choice(browsed)}", token=client_token),
                "GET /me": lambda: call("GET", "/me", token=client_token),
                "GET /users/{id}": lambda: call("GET", f"/users/{f['user']['id']}", token=client_token),
                "GET /conversations": lambda: call("GET", "/conversations", token=client_token),
                "POST message": lambda: call("POST", f"/conversations/{conversation['id']}/messages",
                                             {"body": "hello", "client_msg_id": f"c{next(counter)}"},
                                             client_token),
                "POST /auth/login": lambda: call("POST", "/auth/login", {"email": a["user"]["email"],
                                                                          "password": "correct horse battery"}),
                "POST application": lambda: apply(next(to_apply)),
                "POST fund": fund,
            }
            measured = {name: measure(name, run, args.requests) for name, run in operations.items()}
    finally:
        services.stop()

    print(f"bench/capacity: per request, warm, in process against DynamoDB Local ({args.requests} each)")
    print(f"{'operation':<22}{'CPU ms':>8}{'wall ms':>9}{'RCU':>7}{'WCU':>7}{'SQS msgs':>10}{'outbox':>8}"
          f"{'share':>7}")
    for m in measured.values():
        print(f"{m.name:<22}{m.cpu_ms:>8.1f}{m.wall_ms:>9.1f}{m.read_units:>7.1f}{m.write_units:>7.1f}"
              f"{m.sqs_messages:>10.2f}{m.outbox_events:>8.2f}{MIX.get(m.name, 0):>7.0%}")
    mix = MIX
    print(f"\nmonthly cost, USD, prices as of {PRICES_AS_OF}; {SPIKE_SHARE:.0%} of the month at {SPIKE_FACTOR}x")
    print(f"{'requests/s':>10}{'serverless':>12}{'  (api gw':>10}{'lambda':>9}{'dynamodb':>10}{'sqs':>8})"
          f"{'fleet':>10}")
    rows = []
    for rps in (100, 500, 1000):
        serverless, fleet = monthly_serverless(rps, mix, measured), monthly_fleet(rps)
        rows.append((rps, serverless, fleet))
        print(f"{rps:>10}{serverless['total']:>12,.0f}{serverless['api_gateway']:>10,.0f}"
              f"{serverless['lambda_api'] + serverless['lambda_workers'] + serverless['provisioned']:>9,.0f}"
              f"{serverless['dynamodb']:>10,.0f}{serverless['sqs']:>8,.0f} {fleet['total']:>10,.0f}")
    print("fleet = 3-20 API pods of 512 MiB, PostgreSQL primary + 2 replicas, Redis x2, Elasticsearch x3, a load "
          "balancer (always on, before traffic)")
    OUT.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    labels = [f"{rps} req/s" for rps, _, _ in rows]
    positions = range(len(rows))
    axis.bar([p - 0.2 for p in positions], [s["total"] for _, s, _ in rows], width=0.4, label="GigConnect serverless")
    axis.bar([p + 0.2 for p in positions], [f["total"] for _, _, f in rows], width=0.4, label="always-on fleet")
    axis.set_xticks(list(positions), labels)
    axis.set_ylabel("USD per month")
    axis.set_title("Monthly cost with 10x event spikes")
    axis.legend()
    figure.tight_layout()
    figure.savefig(OUT / "capacity.png", dpi=120)
    print(f"chart: {(OUT / 'capacity.png').relative_to(REPO)}")


if __name__ == "__main__":
    main()
