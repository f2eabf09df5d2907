"""Capacity and cost: what the plans' traffic would cost on this serverless design, beside the always-on
fleet the plans describe. Per operation, measured here:

- CPU ms and wall ms per request in the handler (in process, warm, against DynamoDB Local);
- DynamoDB read and write capacity per request (``ReturnConsumedCapacity`` on every call; a refused conditional
  write counts 1 WCU, as AWS bills it, though DynamoDB Local reports nothing for it);
- SQS messages and hence asynchronous Lambda invocations per request: the ones sent during the request, and
  the outbox events written in its transaction (each becomes a stream record, one SQS message and its
  consumer's share of an invocation once the stream router has passed it on); the items changed (stream
  records the router reads).

The mix priced is the plans' traffic over the routes that serve it (MIX below): browsing gigs near the
caller and opening one, signing in, reading one's account and conversations, sending chat messages,
applying, and funding a milestone. What is not measured here is assumed, each assumption a named constant
printed with the bill: the WebSocket traffic of chat, connections, Stripe's webhooks, the stream router's
batches, the access-log line and X-Ray's sampling, cold starts (the app's own log bytes are measured).

Printed: the variable cost per million requests of the mix for each deployment option (REST API with WAF or
HTTP API, x86_64 or arm64, provisioned concurrency, SnapStart or neither), the bill at zero traffic for each
search option, keeping the API warm, and the monthly bill at 100, 500 and 1,000 requests/s (with 10x event
spikes for 5% of the month) beside the fleet's, drawn to ``bench/out/capacity.png``.

    python -m bench.capacity [--requests 50] [--save bench/out/capacity.json]
    python -m bench.capacity --priced-only bench/out/capacity.json    # price a saved run again

Prices: AWS public on-demand price lists for us-east-1 from memory (PRICES_AS_OF; no network here); they
move, so read the current pages before deciding anything on these figures.
"""

from __future__ import annotations

import argparse
import json
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

PRICES_AS_OF = ("mid-2025, from memory of AWS's public pricing pages (us-east-1, on-demand; not checked here: "
                "no network)")
PRICE = {
    # Lambda (per GB-second of duration, first tier; requests are $0.20 per million on both architectures)
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": {"x86_64": 0.0000166667, "arm64": 0.0000133334},
    "provisioned_gb_second": {"x86_64": 0.0000041667, "arm64": 0.0000033334},   # kept warm, all the time
    "provisioned_duration_gb_second": {"x86_64": 0.0000097222, "arm64": 0.0000077778},  # work on them
    "snapstart_cache_gb_second": 0.0000015046,   # Python/.NET SnapStart: the snapshot, per GB of memory, while
    "snapstart_restore_gb": 0.0001397998,        # the version is active (3 h minimum); each restore, per GB
    # API Gateway: REST $3.50/M for the first 333M a month, then $2.80; HTTP API $1.00/M for the first 300M,
    # then $0.90 (per 512 KB); WebSocket $1.00/M messages (per 32 KB) and $0.25/M connection minutes
    "api_rest_tiers": ((333e6, 3.50 / 1e6), (667e6, 2.80 / 1e6), (math.inf, 2.38 / 1e6)),
    "api_http_tiers": ((300e6, 1.00 / 1e6), (math.inf, 0.90 / 1e6)),
    "ws_message": 1.00 / 1e6,
    "ws_connection_minute": 0.25 / 1e6,
    # AWS WAF on the REST stage: the web ACL, its one rule, and every request inspected
    "waf_acl_month": 5.00, "waf_rule_month": 1.00, "waf_request": 0.60 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,   # on-demand, after the November 2024 price cut
    "dynamodb_read_unit": 0.125 / 1e6,
    "dynamodb_wcu_hour": 0.00065, "dynamodb_rcu_hour": 0.00013,  # provisioned, per unit provisioned an hour
    "sqs_request": 0.40 / 1e6,
    "cloudwatch_alarm_month": 0.10, "cloudwatch_dashboard_month": 3.00, "secret_month": 0.40,
    "logs_ingested_gb": 0.50, "xray_trace": 5.00 / 1e6,
    # search floors: OpenSearch Serverless OCU-hour; OpenSearch Service instance-hours and gp3 GB-month
    "aoss_ocu_hour": 0.24,
    "es_t3_small_hour": 0.036, "es_m6g_large_hour": 0.128, "es_gp3_gb_month": 0.122,
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
#: chalicefile.json's memory sizes (GB) of the functions priced here.
MEMORY_GB = {"api": 1.0, "ws_message": 1.0, "ws_connect": 0.5, "outbox_router": 0.25, "worker": 0.5,
             "schedule": 0.5}

# ---- what the model assumes (not measured here; each printed with the bill) -------------------------------
#: Chat: the apps send over the WebSocket (the REST route is the fallback): a send is one frame in, the ack
#: out and the message out to each connected device of the others; a 1:1 has one other participant, connected
#: on this many devices on average (0 when offline, then a notification instead); a typing frame (in, and out
#: to the other) and a read receipt every other message (in, and out to the sender) go with it.
CHAT_OVER_SOCKET = 1.0
OTHER_DEVICES_ONLINE = 1.0
TYPING_FRAMES_PER_MESSAGE = 1.0
RECEIPTS_PER_MESSAGE = 0.5
#: Handler wall time of a typing frame or a receipt ($default: the connection's owner and session are cached,
#: one Query for the others' connections, one post): the REST "GET /users/{id}" measured plus a post.
SMALL_FRAME_MS = 6.0
#: What posting to the sockets adds to a send's wall time over the REST route's (the posts run in parallel).
SOCKET_POST_MS = 8.0
#: Concurrent WebSocket connections per request/s of the mix: the plans' 10,000 concurrent users at 1,000 req/s.
CONNECTIONS_PER_RPS = 10.0
#: Keep-alive pings (API Gateway closes a socket idle for 10 minutes): one in and one pong out per 9 minutes.
PING_INTERVAL_MINUTES = 9.0
#: Each connection lives ~30 minutes: a $connect and a $disconnect invocation (~20 ms each, 512 MB).
CONNECTION_MINUTES = 30.0
CONNECT_MS = 20.0
#: Stripe's webhooks per funding (payment_intent.succeeded; .processing or .requires_action for some
#: methods), each an API request (signature check, idempotency, enqueue: ~15 ms), an SQS message and the
#: payments consumer reading the object back from Stripe (~300 ms at Stripe's latency) with ~2 RCU, 2 WCU.
WEBHOOKS_PER_FUND = 2.0
WEBHOOK_MS, WEBHOOK_CONSUMER_MS, WEBHOOK_RCU, WEBHOOK_WCU = 15.0, 300.0, 2.0, 2.0
#: The stream router: Lambda reads the table's stream for free; it is invoked per batch (up to 100 records),
#: about 4 times a second per shard while items change; an on-demand table starts with ~4 partitions.
STREAM_SHARDS, STREAM_POLLS_PER_SECOND = 4, 4.0
ROUTER_MS_PER_BATCH, ROUTER_MS_PER_RECORD = 20.0, 0.3
#: Logs: what the app writes is measured per request (the Powertools Logger's lines, ``log_bytes``); Lambda's
#: START/END/REPORT lines are not ingested (LoggingConfig SystemLogLevel WARN) and no metric line is written per
#: request (the alarms read API Gateway's and Lambda's own metrics). One access-log line per API request (both
#: APIs have access logs), its length that of the template's format filled with the request's values
#: (:func:`access_log_bytes`). Assumed: for invocations not measured here (sockets, workers, the router), this
#: many bytes of the app's own lines on average (a warning now and then).
UNMEASURED_LOG_BYTES_PER_INVOCATION = 50
#: X-Ray: the REST stage is sampled by the template's rule (TraceReservoirPerSecond, TraceFixedRate); a trace
#: rooted in Lambda (HTTP API, sockets, queues) keeps Lambda's own 1/s + 5%, which no rule changes.
XRAY_RESERVOIR_PER_SECOND, XRAY_RATE_REST, XRAY_RATE_LAMBDA = 1.0, 0.01, 0.05
#: The access-log line's values the bench cannot see, as API Gateway writes them: a REST request id is a UUID,
#: an HTTP API's a 16-character id; "-" stands for an empty value. The route, status and latencies are the
#: request's own (measured); the line's fields are the template's (infra/render.py's formats).
ACCESS_LOG_SAMPLE = {"$context.identity.sourceIp": "102.89.34.117", "$context.requestTimeEpoch": "1733318400123",
                     "$context.integration.error": "-", "$context.integrationErrorMessage": "-",
                     "$context.waf.status": "-", "$context.status": "200"}
REQUEST_IDS = {"rest": "8f0e6c1a-4b2d-4c6e-9a51-3d7f2b8e1c90", "http": "Kx3mVhXYoAMEVqA="}
#: The route of each request of the mix (and of Stripe's webhook), as the access log names it.
ROUTES = {"GET /gigs/nearby": "GET /gigs/nearby", "GET /gigs/{id}": "GET /gigs/{gig_id}", "GET /me": "GET /me",
          "GET /users/{id}": "GET /users/{user_id}", "GET /conversations": "GET /conversations",
          "POST message": "POST /conversations/{conversation_id}/messages", "POST /auth/login": "POST /auth/login",
          "POST application": "POST /gigs/{gig_id}/applications",
          "POST fund": "POST /contracts/{contract_id}/milestones/{milestone_id}/fund",
          "webhook": "POST /webhooks/stripe"}
#: A provisioned table (TableCapacityMode) pays for the units it holds, not the ones it uses: target tracking
#: aims at the template's 70% (TableTargetUtilization) and lags behind a falling load (it scales in after 15
#: minutes below 56%), so the units used are assumed to be this share of the units paid for.
TABLE_UTILIZATION = 0.6
#: The parameters' floor: 5 read and 5 write units on the table and on each of its two indexes.
TABLE_MIN_UNITS = 5 * 3
#: Queue consumers: a worker invocation per batch of 10 messages at ~50 ms (512 MB).
WORKER_MS_PER_BATCH = 50.0
#: Cold starts: an environment lives ~2 hours; the spikes (5% of the month) come as ~18 two-hour events,
#: each needing 9x the base concurrency anew. On-demand init is billed (since August 2025) at bench/coldstart's
#: import time; a SnapStart restore takes ~200 ms of billed duration plus the restore fee.
ENVIRONMENT_HOURS, SPIKES_PER_MONTH = 2.0, 18
INIT_MS, RESTORE_MS = 333.0, 200.0
#: Schedules (chalicefile/app.py): three every 15 minutes and one hourly, ~300 ms each at 512 MB.
SCHEDULED_PER_MONTH = 3 * 4 * 730 + 730
SCHEDULED_MS = 300.0
#: Provisioned concurrency of the API: chalicefile.json's baseline, and its event windows (May, October,
#: December 1-20 at 50, 50, 40) spread over the year.
PROVISIONED_BASELINE = 5
PROVISIONED_EVENT_EXTRA = ((50 - 5) * 31 + (50 - 5) * 31 + (40 - 5) * 20) / 365
#: The search options' fixed floors (docs/deployment.md, "Search").
SEARCH_FLOORS = {
    "domain 1 x t3.small.search + 10 GB (dev)": 730 * PRICE["es_t3_small_hour"] + 10 * PRICE["es_gp3_gb_month"],
    "domain 2 x m6g.large.search + 2 x 20 GB (prod)": 2 * 730 * PRICE["es_m6g_large_hour"]
    + 40 * PRICE["es_gp3_gb_month"],
    "serverless, no standby (1 OCU)": 1 * 730 * PRICE["aoss_ocu_hour"],
    "serverless, standby replicas (2 OCU)": 2 * 730 * PRICE["aoss_ocu_hour"],
}
PROD_SEARCH = "domain 2 x m6g.large.search + 2 x 20 GB (prod)"


@dataclass
class Counter:
    read_units: float = 0.0
    write_units: float = 0.0
    sqs_messages: int = 0
    outbox_events: int = 0
    #: items changed (each a record on the table's stream, which the router reads)
    stream_records: int = 0
    #: conditional writes refused: billed as writes, though DynamoDB Local reports no capacity for them
    refused_writes: int = 0
    #: bytes the app's Powertools Logger wrote (what CloudWatch Logs would ingest of the functions' output)
    log_bytes: int = 0
    #: write units by table or index (TABLE/gsi1/...), from ConsumedCapacity INDEXES
    write_split: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)


COUNTER = Counter()


def _consumed(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``ConsumedCapacity`` entries of a DynamoDB answer (one for most calls, a list for batches)."""
    consumed = answer.get("ConsumedCapacity", [])
    return consumed if isinstance(consumed, list) else [consumed]


def _instrument() -> None:
    """Ask DynamoDB for consumed capacity on every call and count SQS sends (boto3 and PynamoDB alike)."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call
    reads = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
    writes = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

    def counted(self: Any, operation: str, params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        if service == "dynamodb" and operation in reads | writes:
            params = dict(params, ReturnConsumedCapacity="INDEXES")
        try:
            answer = original(self, operation, params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if service == "dynamodb" and code == "ConditionalCheckFailedException":
                COUNTER.refused_writes += 1
                COUNTER.write_units += 1
            elif service == "dynamodb" and code == "TransactionCanceledException":
                refused = 2 * len(params.get("TransactItems", []))  # a cancelled transaction is billed too
                COUNTER.refused_writes += refused
                COUNTER.write_units += refused
            raise
        if service == "dynamodb" and operation in reads | writes:
            for entry in _consumed(answer):
                units = float(entry.get("CapacityUnits", 0))
                if operation in reads:
                    COUNTER.read_units += units
                else:
                    COUNTER.write_units += units
                    table = entry.get("Table", {}).get("CapacityUnits", units)
                    parts = {f"{operation}:table": float(table)} | {
                        f"{operation}:{name}": float(v.get("CapacityUnits", 0))
                        for name, v in entry.get("GlobalSecondaryIndexes", {}).items()}
                    for key, value in parts.items():
                        COUNTER.write_split[key] = COUNTER.write_split.get(key, 0.0) + value
        if service == "dynamodb" and operation in writes:
            if operation == "TransactWriteItems":
                COUNTER.stream_records += sum(1 for i in params["TransactItems"] if "ConditionCheck" not in i)
            elif operation == "BatchWriteItem":
                COUNTER.stream_records += sum(len(v) for v in params["RequestItems"].values())
            else:
                COUNTER.stream_records += 1
        if service == "dynamodb" and operation in ("TransactWriteItems", "PutItem"):
            puts = [i.get("Put", {}) for i in params.get("TransactItems", [])] or [params]
            COUNTER.outbox_events += sum(1 for put in puts
                                         if str(put.get("Item", {}).get("pk", {}).get("S", "")).startswith("EVENT#"))
        if service == "sqs" and operation in ("SendMessage", "SendMessageBatch"):
            COUNTER.sqs_messages += len(params.get("Entries", [])) or 1
        COUNTER.calls[f"{service}.{operation}"] = COUNTER.calls.get(f"{service}.{operation}", 0) + 1
        return answer

    BaseClient._make_api_call = counted  # type: ignore[method-assign]

    # The hot reads GigConnect sends to DynamoDB itself (gigcore.adapters.dynamo_wire) are billed the same; one
    # it hands back to botocore is counted above.
    from gigcore.adapters.dynamo_wire import DirectReads

    original_send_all = DirectReads.send_all

    def send_all(self: Any, calls: list[tuple[str, dict[str, Any]]]) -> Any:
        answers = original_send_all(self, [(op, dict(params, ReturnConsumedCapacity="INDEXES"))
                                           for op, params in calls])
        for (operation, _), answer in zip(calls, answers, strict=True):
            if answer is not None:
                COUNTER.read_units += sum(float(entry.get("CapacityUnits", 0)) for entry in _consumed(answer))
                COUNTER.calls[f"dynamodb.{operation}"] = COUNTER.calls.get(f"dynamodb.{operation}", 0) + 1
        return answers

    DirectReads.send_all = send_all  # type: ignore[method-assign]

    import logging

    from gigcore.observability import logger as service_logger

    class Bytes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            COUNTER.log_bytes += len(self.format(record).encode()) + 1

    parent = logging.getLogger(service_logger.name)
    counting = Bytes()
    counting.setFormatter(parent.handlers[0].formatter)
    parent.addHandler(counting)


@dataclass
class Measured:
    name: str
    cpu_ms: float
    wall_ms: float
    read_units: float
    write_units: float
    sqs_messages: float
    outbox_events: float = 0.0
    stream_records: float = 0.0
    refused_writes: float = 0.0
    log_bytes: float = 0.0
    write_split: dict[str, float] = field(default_factory=dict)

    @property
    def queued(self) -> float:
        """Messages that reach a worker per request: sent directly, or through the outbox and the stream."""
        return self.sqs_messages + self.outbox_events


def measure(name: str, run: Callable[[], Any], requests: int) -> Measured:
    for _ in range(5):
        run()
    fields = ("read_units", "write_units", "sqs_messages", "outbox_events", "stream_records", "refused_writes",
              "log_bytes")
    before = {f: getattr(COUNTER, f) for f in fields}
    split_before = dict(COUNTER.write_split)
    walls = []
    cpu_started = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        run()
        walls.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / requests
    split = {k: round((v - split_before.get(k, 0.0)) / requests, 2) for k, v in COUNTER.write_split.items()}
    return Measured(name, cpu, statistics.median(walls),
                    **{f: (getattr(COUNTER, f) - before[f]) / requests for f in fields},
                    write_split={k: v for k, v in split.items() if v})


# ---- the price model -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """One way to deploy the stack: the API's kind, the functions' architecture, how the API is kept warm."""

    api: str = "rest"            # "rest" (with AWS WAF) or "http" (HTTP API, payload 1.0; no WAF)
    arch: str = "x86_64"         # or "arm64"
    warm: str = "provisioned"    # "provisioned" (chalicefile.json), "snapstart" (python3.12+) or "on-demand"
    search: str = PROD_SEARCH
    table: str = "on-demand"     # TableCapacityMode: "on-demand" or "provisioned" (target tracking)
    tracing: str = "Active"      # FunctionTracing: "Active" or "PassThrough" (no trace rooted in Lambda)

    def label(self) -> str:
        extra = (", table provisioned" if self.table == "provisioned" else "") + (
            ", PassThrough" if self.tracing == "PassThrough" else "")
        return f"{'HTTP API' if self.api == 'http' else 'REST+WAF'}, {self.arch}, {self.warm}{extra}"


def unit_prices(options: Options) -> tuple[float, float]:
    """(a read unit, a write unit) in USD: on demand, or a provisioned unit-hour spread over the units it serves
    at :data:`TABLE_UTILIZATION`."""
    if options.table == "provisioned":
        return (PRICE["dynamodb_rcu_hour"] / 3600 / TABLE_UTILIZATION,
                PRICE["dynamodb_wcu_hour"] / 3600 / TABLE_UTILIZATION)
    return PRICE["dynamodb_read_unit"], PRICE["dynamodb_write_unit"]


def access_log_bytes(api: str, route: str, latency_ms: float) -> int:
    """The bytes of the access-log line the template's format (infra/render.py) writes for one request."""
    from infra.render import ACCESS_LOG_FORMAT, HTTP_ACCESS_LOG_FORMAT

    method, path = route.split(" ", 1)
    values = ACCESS_LOG_SAMPLE | {"$context.requestId": REQUEST_IDS[api], "$context.httpMethod": method,
                                  "$context.resourcePath": path, "$context.routeKey": route,
                                  "$context.responseLatency": f"{latency_ms:.0f}",
                                  "$context.integration.latency": f"{latency_ms:.0f}",
                                  "$context.integrationLatency": f"{latency_ms:.0f}"}
    line = json.dumps(ACCESS_LOG_FORMAT if api == "rest" else HTTP_ACCESS_LOG_FORMAT, sort_keys=True,
                      separators=(",", ":"))
    for variable in sorted(values, key=len, reverse=True):
        line = line.replace(variable, values[variable])
    if "$context" in line:
        raise SystemExit(f"bench/capacity: no sample value for {line}")
    return len(line.encode()) + 1


def tiered(requests: float, tiers: tuple[tuple[float, float], ...]) -> float:
    cost, left = 0.0, requests
    for size, price in tiers:
        used = min(left, size)
        cost += used * price
        left -= used
        if left <= 0:
            break
    return cost


#: Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB (AWS's documentation); the bench
#: measures a request's CPU on a whole core here.
VCPU_MB = 1769.0


def lambda_ms(op: Measured, gb: float) -> float:
    """How long ``op`` runs in a function of ``gb``: its CPU slowed to the function's share of a vCPU, plus the
    rest of its wall time (waiting on DynamoDB, Stripe, SQS), as measured."""
    share = min(1.0, gb * 1024 / VCPU_MB)
    return op.cpu_ms / share + max(0.0, op.wall_ms - op.cpu_ms)


def _lambda(invocations: float, ms: float, gb: float, arch: str) -> float:
    return invocations * (PRICE["lambda_request"] + ms / 1000 * gb * PRICE["lambda_gb_second"][arch])


def per_request(mix: dict[str, float], ops: dict[str, Measured], options: Options,
                extras: bool = True) -> dict[str, float]:
    """The variable cost of one request of the mix (USD), by component. Two entries are counts, priced by
    :func:`monthly`: ``api_requests`` (API Gateway's price is tiered) and ``api_gb_seconds`` (the API's
    duration price depends on provisioned concurrency); ``stream_records`` is a count too. ``extras``: the chat
    frames that are not requests of the mix (typing, receipts)."""
    arch = options.arch
    cost = {"api_requests": 0.0, "lambda_api": 0.0, "api_gb_seconds": 0.0, "websocket": 0.0, "lambda_socket": 0.0,
            "dynamodb": 0.0, "sqs": 0.0, "lambda_workers": 0.0, "stream_records": 0.0, "webhooks": 0.0,
            "observability": 0.0}
    read_unit, write_unit = unit_prices(options)
    access_log = 0.0  # bytes of access-log lines per request of the mix
    typing = TYPING_FRAMES_PER_MESSAGE if extras else 0.0
    receipts = RECEIPTS_PER_MESSAGE if extras else 0.0
    invocations = 0.0
    for name, share in mix.items():
        op = ops[name]
        socket = CHAT_OVER_SOCKET if name == "POST message" else 0.0
        rest = share * (1 - socket)
        cost["api_requests"] += rest
        access_log += rest * access_log_bytes(options.api, ROUTES[name], op.wall_ms)
        cost["lambda_api"] += rest * PRICE["lambda_request"]
        cost["api_gb_seconds"] += rest * lambda_ms(op, MEMORY_GB["api"]) / 1000 * MEMORY_GB["api"]
        invocations += rest + share * op.queued / 10
        if socket:
            n = share * socket
            frames = 1 + 1 + OTHER_DEVICES_ONLINE + 2 * typing + 2 * receipts
            cost["websocket"] += n * frames * PRICE["ws_message"]
            cost["lambda_socket"] += _lambda(n, lambda_ms(op, MEMORY_GB["ws_message"]) + SOCKET_POST_MS,
                                             MEMORY_GB["ws_message"], arch)
            cost["lambda_socket"] += _lambda(n * (typing + receipts), SMALL_FRAME_MS, MEMORY_GB["ws_message"], arch)
            invocations += n * (1 + typing + receipts)
            cost["dynamodb"] += n * (typing + receipts) * 0.5 * read_unit  # others' connections
            cost["dynamodb"] += n * receipts * (write_unit + 1.5 * read_unit)  # mark_read
        cost["dynamodb"] += share * (op.read_units * read_unit + op.write_units * write_unit)
        # each queued message: send + receive + delete, and a worker invocation per batch of 10
        cost["sqs"] += share * op.queued * 3 * PRICE["sqs_request"]
        cost["lambda_workers"] += _lambda(share * op.queued / 10, WORKER_MS_PER_BATCH, MEMORY_GB["worker"], arch)
        cost["stream_records"] += share * op.stream_records
        if name == "POST fund":
            hooks = share * WEBHOOKS_PER_FUND
            cost["api_requests"] += hooks
            access_log += hooks * access_log_bytes(options.api, ROUTES["webhook"], WEBHOOK_MS)
            cost["webhooks"] += _lambda(hooks, WEBHOOK_MS, MEMORY_GB["api"], arch) + hooks * 3 * PRICE["sqs_request"]
            cost["webhooks"] += _lambda(hooks, WEBHOOK_CONSUMER_MS, MEMORY_GB["worker"], arch)
            cost["webhooks"] += hooks * (WEBHOOK_RCU * read_unit + WEBHOOK_WCU * write_unit)
            invocations += 2 * hooks
    # connections: their minutes, keep-alive pings, $connect and $disconnect, per request of the mix
    minutes = CONNECTIONS_PER_RPS / 60  # connection-minutes per request (10 connections per req/s)
    cost["websocket"] += minutes * PRICE["ws_connection_minute"] + minutes / PING_INTERVAL_MINUTES * 2 * PRICE[
        "ws_message"]
    connects = minutes / CONNECTION_MINUTES
    cost["lambda_socket"] += _lambda(connects * 2, CONNECT_MS, MEMORY_GB["ws_connect"], arch)
    cost["dynamodb"] += connects * 4 * write_unit  # two items in, two out
    invocations += connects * 2 + cost["stream_records"] / 100
    app_lines = sum(share * ops[name].log_bytes for name, share in mix.items())
    logged = app_lines + (invocations - cost["api_requests"]) * UNMEASURED_LOG_BYTES_PER_INVOCATION + access_log
    cost["access_log_bytes"] = access_log / cost["api_requests"]  # a count: the average line, printed
    # PassThrough: only the REST stage's sampled requests are traced (Lambda roots none)
    lambda_rate = XRAY_RATE_LAMBDA if options.tracing == "Active" else 0.0
    api_rate = XRAY_RATE_REST if options.api == "rest" else lambda_rate
    cost["observability"] = logged / 1e9 * PRICE["logs_ingested_gb"] + (
        api_rate * cost["api_requests"] + lambda_rate * (invocations - cost["api_requests"])) * PRICE[
        "xray_trace"]
    return cost


def api_gateway(requests: float, options: Options) -> float:
    if options.api == "http":
        return tiered(requests, PRICE["api_http_tiers"])
    return tiered(requests, PRICE["api_rest_tiers"]) + requests * PRICE["waf_request"]


def stream_router(records_per_second: float, arch: str) -> float:
    """Monthly cost of the router for a steady rate of changed items."""
    if records_per_second <= 0:
        return 0.0
    batches = min(records_per_second, max(records_per_second / 100, STREAM_SHARDS * STREAM_POLLS_PER_SECOND))
    ms = ROUTER_MS_PER_BATCH + ROUTER_MS_PER_RECORD * records_per_second / batches
    return _lambda(batches * SECONDS_PER_MONTH, ms, MEMORY_GB["outbox_router"], arch)


def cold_starts(concurrency: float) -> float:
    """New execution environments a month for a function whose average concurrency is ``concurrency``."""
    if concurrency <= 0:
        return 0.0
    base = max(1.0, math.ceil(concurrency))
    return base * 730 / ENVIRONMENT_HOURS + SPIKES_PER_MONTH * (SPIKE_FACTOR - 1) * max(1.0, concurrency)


def fixed_monthly(options: Options, alarms: int) -> dict[str, float]:
    """What the stack costs before its first request."""
    arch = options.arch
    cost = {"search": SEARCH_FLOORS[options.search],
            "alarms_dashboard_secret": alarms * PRICE["cloudwatch_alarm_month"] + PRICE["cloudwatch_dashboard_month"]
            + PRICE["secret_month"],
            "schedules": _lambda(SCHEDULED_PER_MONTH, SCHEDULED_MS, MEMORY_GB["schedule"], arch),
            "waf": PRICE["waf_acl_month"] + PRICE["waf_rule_month"] if options.api == "rest" else 0.0,
            "xray_reservoir": XRAY_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH * PRICE["xray_trace"]
            if options.api == "rest" or options.tracing == "Active" else 0.0,
            "table_floor": TABLE_MIN_UNITS * 730 * (PRICE["dynamodb_rcu_hour"] + PRICE["dynamodb_wcu_hour"])
            if options.table == "provisioned" else 0.0,
            "warm": 0.0}
    if options.warm == "provisioned":
        concurrency = PROVISIONED_BASELINE + PROVISIONED_EVENT_EXTRA
        cost["warm"] = concurrency * MEMORY_GB["api"] * SECONDS_PER_MONTH * PRICE["provisioned_gb_second"][arch]
    elif options.warm == "snapstart":
        # the API's and the socket message handler's snapshots, one published version each
        cost["warm"] = (MEMORY_GB["api"] + MEMORY_GB["ws_message"]) * SECONDS_PER_MONTH * PRICE[
            "snapstart_cache_gb_second"]
    cost["total"] = sum(cost.values())
    return cost


def _api_duration(gb_seconds: float, api_concurrency: float, options: Options) -> tuple[float, float]:
    """(duration cost, cold-start cost) of the API function for a month."""
    arch = options.arch
    on_demand = PRICE["lambda_gb_second"][arch]
    if options.warm == "provisioned":
        # work up to the provisioned concurrency is billed at the provisioned duration price
        provisioned = PROVISIONED_BASELINE + PROVISIONED_EVENT_EXTRA
        covered = min(1.0, provisioned / api_concurrency) if api_concurrency else 1.0
        duration = gb_seconds * (covered * PRICE["provisioned_duration_gb_second"][arch] + (1 - covered) * on_demand)
        starts = max(0.0, cold_starts(api_concurrency) - cold_starts(min(api_concurrency, provisioned)))
        return duration, starts * INIT_MS / 1000 * MEMORY_GB["api"] * on_demand
    starts = cold_starts(api_concurrency)
    if options.warm == "snapstart":
        return gb_seconds * on_demand, starts * MEMORY_GB["api"] * (PRICE["snapstart_restore_gb"]
                                                                    + RESTORE_MS / 1000 * on_demand)
    return gb_seconds * on_demand, starts * INIT_MS / 1000 * MEMORY_GB["api"] * on_demand


def monthly(rps: float, mix: dict[str, float], ops: dict[str, Measured], options: Options,
            alarms: int) -> dict[str, float]:
    average = rps * (1 + SPIKE_SHARE * (SPIKE_FACTOR - 1))
    requests = average * SECONDS_PER_MONTH
    unit = per_request(mix, ops, options)
    api_concurrency = average * sum(share * lambda_ms(ops[n], MEMORY_GB["api"]) for n, share in mix.items()) / 1000
    duration, starts = _api_duration(requests * unit["api_gb_seconds"], api_concurrency, options)
    cost = {"api_gateway": api_gateway(requests * unit["api_requests"], options),
            "lambda": requests * (unit["lambda_api"] + unit["lambda_socket"] + unit["lambda_workers"]) + duration,
            "cold_starts": starts,
            "dynamodb": requests * unit["dynamodb"], "sqs": requests * unit["sqs"],
            "websocket": requests * unit["websocket"], "webhooks": requests * unit["webhooks"],
            "observability": requests * unit["observability"],
            "stream_router": stream_router(average * unit["stream_records"], options.arch)}
    cost["variable"] = sum(cost.values())
    cost["fixed"] = fixed_monthly(options, alarms)["total"]
    cost["total"] = cost["variable"] + cost["fixed"]
    return cost


def per_million(mix: dict[str, float], ops: dict[str, Measured], options: Options,
                extras: bool = False) -> dict[str, float]:
    """Variable cost of a million requests of the mix, by component (first price tiers, no fixed floor)."""
    unit = per_request(mix, ops, options, extras)
    arch = options.arch
    api = unit["api_requests"] * (PRICE["api_http_tiers"][0][1] if options.api == "http"
                                  else PRICE["api_rest_tiers"][0][1] + PRICE["waf_request"])
    duration = PRICE["provisioned_duration_gb_second" if options.warm == "provisioned" else "lambda_gb_second"][arch]
    records = unit["stream_records"]
    router = _lambda(records / 100, ROUTER_MS_PER_BATCH + 100 * ROUTER_MS_PER_RECORD, MEMORY_GB["outbox_router"], arch)
    parts = {"api_gateway": api, "lambda": unit["lambda_api"] + unit["api_gb_seconds"] * duration
             + unit["lambda_socket"] + unit["lambda_workers"] + router,
             "dynamodb": unit["dynamodb"], "websocket": unit["websocket"], "sqs": unit["sqs"],
             "webhooks": unit["webhooks"], "observability": unit["observability"]}
    result = {k: v * 1e6 for k, v in parts.items()}
    result["total"] = sum(result.values())
    return result


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


def measure_all(requests: int) -> dict[str, Measured]:
    """Every operation of the mix, ``requests`` times each, warm, in process against the local stack."""
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
            to_apply = iter([gig() for _ in range(requests + 5)])
            milestones = [{"title": f"Part {i + 1}", "amount": {"amount": 30000, "currency": "NGN"}}
                          for i in range(20)]
            to_fund = []
            for _ in range(math.ceil((requests + 5) / 20)):
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
            measured = {name: measure(name, run, requests) for name, run in operations.items()}
    finally:
        services.stop()
    return measured


def template_alarms() -> int:
    """The CloudWatch alarms template.yaml creates (each billed monthly)."""
    text = (REPO / "template.yaml").read_text()
    return text.count("Type: AWS::CloudWatch::Alarm")


def _save(measured: dict[str, Measured], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                "load": os.getloadavg(), "operations": [m.__dict__ for m in measured.values()]},
                               indent=1) + "\n")


def _load(path: Path) -> dict[str, Measured]:
    data = json.loads(path.read_text())
    return {m["name"]: Measured(**m) for m in data["operations"]}


#: The deployments compared: today's template, and each lever alone and together.
OPTIONS = (Options("rest", "x86_64", "provisioned"), Options("rest", "arm64", "provisioned"),
           Options("http", "x86_64", "provisioned"), Options("http", "arm64", "provisioned"),
           Options("http", "arm64", "snapstart"), Options("http", "arm64", "on-demand"),
           Options("rest", "arm64", "snapstart"),
           Options("rest", "arm64", "provisioned", table="provisioned"),
           Options("http", "arm64", "provisioned", table="provisioned"),
           Options("http", "arm64", "snapstart", table="provisioned"),
           Options("http", "arm64", "snapstart", table="provisioned", tracing="PassThrough"))
GOALS = {"rest": 5.0, "http": 3.0}


def report(measured: dict[str, Measured], mix: dict[str, float]) -> list[tuple[float, dict[str, float],
                                                                               dict[str, float], dict[str, float]]]:
    alarms = template_alarms()
    print(f"{'operation':<22}{'CPU ms':>8}{'wall ms':>9}{'RCU':>7}{'WCU':>7}{'refused':>9}{'SQS msgs':>10}"
          f"{'outbox':>8}{'stream':>8}{'share':>7}")
    for m in measured.values():
        print(f"{m.name:<22}{m.cpu_ms:>8.1f}{m.wall_ms:>9.1f}{m.read_units:>7.1f}{m.write_units:>7.1f}"
              f"{m.refused_writes:>9.2f}{m.sqs_messages:>10.2f}{m.outbox_events:>8.2f}{m.stream_records:>8.1f}"
              f"{mix.get(m.name, 0):>7.0%}")
    print("(WCU counts each refused conditional write as 1: AWS bills it, DynamoDB Local reports nothing for it;"
          " stream = items changed, each a record the stream router reads)")
    print("\nper request: bytes the app logged, and write units by operation and table/index")
    for m in measured.values():
        split = ", ".join(f"{k} {v:g}" for k, v in sorted(m.write_split.items()))
        print(f"  {m.name:<20}{m.log_bytes:>7.0f} B   {split}")
    print(f"\nprices as of {PRICES_AS_OF}")
    print(f"assumed, not measured: chat over the WebSocket ({CHAT_OVER_SOCKET:.0%} of sends; per send 1 frame in, the "
          f"ack, {OTHER_DEVICES_ONLINE:g} device of the other online, {TYPING_FRAMES_PER_MESSAGE:g} typing frame and "
          f"{RECEIPTS_PER_MESSAGE:g} receipt, each in and out); {CONNECTIONS_PER_RPS:g} open connections per req/s, "
          f"a ping each {PING_INTERVAL_MINUTES:g} min; {WEBHOOKS_PER_FUND:g} Stripe webhooks per funding; the stream "
          f"router invoked up to {STREAM_POLLS_PER_SECOND:g}x/s on {STREAM_SHARDS} shards; {alarms} alarms "
          f"(template.yaml); the API's provisioned concurrency {PROVISIONED_BASELINE} + "
          f"{PROVISIONED_EVENT_EXTRA:.1f} on average for the event windows; cold starts: environments live "
          f"{ENVIRONMENT_HOURS:g} h, {SPIKES_PER_MONTH} spikes a month, init {INIT_MS:g} ms (billed since 2025-08), "
          f"a SnapStart restore {RESTORE_MS:g} ms + its fee; arm64 as fast as x86_64 (not measured here); a "
          f"request's CPU, measured on a whole core, runs at the function's share of a vCPU ({VCPU_MB:g} MB = 1), "
          f"its waits as measured against the local services; a "
          f"provisioned table uses {TABLE_UTILIZATION:.0%} of the units it pays for (target tracking at 70%)")
    for api in ("rest", "http"):
        line = per_request(mix, measured, Options(api))["access_log_bytes"]
        print(f"access-log line of the template's {api.upper()} format, filled with each request's route and "
              f"latency: {line:.0f} bytes on average")

    print("\nvariable cost per million requests of the mix, USD (first price tiers; goal: HTTP API <= $3.0, "
          "REST <= $5.0);\n'+chat extras': with the typing frames and read receipts that are not requests of the mix")
    print(f"{'deployment':<56}{'api gw':>8}{'lambda':>8}{'dynamo':>8}{'socket':>8}{'sqs':>6}{'hooks':>7}"
          f"{'logs+xray':>10}{'total':>8}{'+chat extras':>14}  goal")
    for options in OPTIONS:
        unit = per_million(mix, measured, options)
        extra = per_million(mix, measured, options, extras=True)["total"]
        goal = GOALS[options.api]
        print(f"{options.label():<56}{unit['api_gateway']:>8.2f}{unit['lambda']:>8.2f}{unit['dynamodb']:>8.2f}"
              f"{unit['websocket']:>8.2f}{unit['sqs']:>6.2f}{unit['webhooks']:>7.2f}{unit['observability']:>10.2f}"
              f"{unit['total']:>8.2f}{extra:>14.2f}  {'met' if unit['total'] <= goal else 'NOT met'} (<= {goal:.1f})")

    print("\nthe bill at zero traffic, USD per month (what runs before the first request)")
    print(f"{'search option':<50}{'REST, provisioned':>19}{'HTTP, snapstart':>17}{'HTTP, on-demand':>17}")
    for search in SEARCH_FLOORS:
        row = [fixed_monthly(Options(api, "arm64" if api == "http" else "x86_64", warm, search), alarms)["total"]
               for api, warm in (("rest", "provisioned"), ("http", "snapstart"), ("http", "on-demand"))]
        print(f"{search:<50}{row[0]:>19,.0f}{row[1]:>17,.0f}{row[2]:>17,.0f}")
    base = fixed_monthly(Options(), alarms)
    print("  of which, REST/x86/provisioned: " + ", ".join(f"{k} {v:,.2f}" for k, v in base.items() if k != "total")
          + " (search: the prod domain)")

    print("\nkeeping the API warm, USD per month at 100 req/s (fixed part + cold starts; latency is the reason)")
    for warm in ("provisioned", "snapstart", "on-demand"):
        options = Options("http", "arm64", warm)
        bill = monthly(100, mix, measured, options, alarms)
        print(f"  {warm:<12} warm {fixed_monthly(options, alarms)['warm']:>8,.2f}   cold starts "
              f"{bill['cold_starts']:>6,.2f}   the rest of the variable bill "
              f"{bill['variable'] - bill['cold_starts']:>9,.0f}")

    today, best = Options("rest", "arm64", "provisioned"), Options("http", "arm64", "snapstart", table="provisioned")
    print(f"\nmonthly bill, USD, {SPIKE_SHARE:.0%} of the month at {SPIKE_FACTOR}x, chat extras included (prod "
          f"search: {PROD_SEARCH})")
    print(f"{'req/s':>6}  {'deployment':<56}{'total':>9}{'api gw':>8}{'lambda':>8}{'dynamo':>8}{'socket':>8}"
          f"{'sqs':>6}{'router':>7}{'hooks':>7}{'logs':>6}{'fixed':>7}{'fleet':>9}")
    rows = []
    for rps in (100, 500, 1000):
        fleet = monthly_fleet(rps)
        bills = {}
        for options in (Options("rest", "x86_64", "provisioned"), today, Options("http", "arm64", "provisioned"),
                        Options("http", "arm64", "snapstart"), best,
                        Options("http", "arm64", "snapstart", table="provisioned", tracing="PassThrough")):
            bill = monthly(rps, mix, measured, options, alarms)
            bills[options.label()] = bill
            print(f"{rps:>6}  {options.label():<56}{bill['total']:>9,.0f}{bill['api_gateway']:>8,.0f}"
                  f"{bill['lambda'] + bill['cold_starts']:>8,.0f}{bill['dynamodb']:>8,.0f}{bill['websocket']:>8,.0f}"
                  f"{bill['sqs']:>6,.0f}{bill['stream_router']:>7,.0f}{bill['webhooks']:>7,.0f}"
                  f"{bill['observability']:>6,.0f}{bill['fixed']:>7,.0f}"
                  f"{fleet['total']:>9,.0f}")
        rows.append((rps, bills[today.label()], bills[best.label()], fleet))
    print("fleet = 3-20 API pods of 512 MiB, PostgreSQL primary + 2 replicas, Redis x2, Elasticsearch x3, a load "
          "balancer (always on, before traffic)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--save", type=Path, default=OUT / "capacity.json", help="where the measured figures go")
    parser.add_argument("--priced-only", type=Path, default=None,
                        help="price the figures a previous run saved (bench/out/capacity.json) instead of measuring")
    args = parser.parse_args()
    if args.priced_only:
        measured = _load(args.priced_only)
        print(f"bench/capacity: figures of {args.priced_only} (measured "
              f"{json.loads(args.priced_only.read_text())['measured_at']})")
    else:
        measured = measure_all(args.requests)
        _save(measured, args.save)
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        print(f"bench/capacity: per request, warm, in process against DynamoDB Local ({args.requests} each; "
              f"load average {load}; saved to {args.save})")
    rows = report(measured, MIX)
    OUT.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    labels = [f"{rps} req/s" for rps, _, _, _ in rows]
    positions = range(len(rows))
    axis.bar([p - 0.27 for p in positions], [t["total"] for _, t, _, _ in rows], width=0.27,
             label="REST, arm64, provisioned (the template's default)")
    axis.bar(list(positions), [b["total"] for _, _, b, _ in rows], width=0.27,
             label="HTTP API, arm64, SnapStart, provisioned table")
    axis.bar([p + 0.27 for p in positions], [f["total"] for _, _, _, f in rows], width=0.27, label="always-on fleet")
    axis.set_xticks(list(positions), labels)
    axis.set_ylabel("USD per month")
    axis.set_title("Monthly cost with 10x event spikes")
    axis.legend()
    figure.tight_layout()
    figure.savefig(OUT / "capacity.png", dpi=120)
    print(f"chart: {(OUT / 'capacity.png').relative_to(REPO)}")


if __name__ == "__main__":
    main()
