"""Fan-out of one gig to the freelancers it matches: how many notifications a second the pipeline delivers.

Starts DynamoDB Local, moto and localstripe in memory, writes ``--freelancers`` available freelancer profiles
(with their geo entries) within a few km of Lagos, all plumbers whose service radius covers the centre, then
posts one plumbing gig there and times each stage of what follows, with the same handlers Lambda runs:

1. match: the ``gig-matching`` consumer on the ``gig.created`` event (one full-radius read of the freelancer
   index, the daily quota claimed for each, the messages sent to the ``notifications`` queue);
2. fan-out: ``--consumers`` worker processes (as concurrent Lambda instances would be) take the
   ``notifications`` queue in batches of 10 as it fills: the in-app item, the live socket check, preferences, devices,
   and the channel messages (the default for a match is push, else email: these profiles have no devices);
3. email: as many workers take the ``email`` queue into moto's SES.

All stages run at once, as Lambda's pollers would.

Prints the time and notifications/s of each stage and end to end. Not a timed test.

    python -m bench.notify                              # 5,000 freelancers, 4 consumers
    python -m bench.notify --freelancers 500 --consumers 2
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LAGOS = (6.5244, 3.3792)
IDLE_STOP = 2.5
CONSUMERS = {"notifications": "notifications_consumer", "email": "email_consumer",
             "gig-matching": "gig_matching_consumer"}


def _paths() -> None:
    for path in (REPO, REPO / "functions", REPO / "layers" / "gigcore"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _consumer(queue_key: str, environment: dict[str, str]) -> Any:
    """A warm consumer (what a Lambda instance is after its cold start): receive -> handler -> delete."""
    _paths()
    os.environ.update(environment)
    import boto3
    from app import app
    from botocore.config import Config

    from gigcore import bootstrap

    container = bootstrap.container()
    # The poller's own client: long polls, and patient with a busy local SQS (a Lambda poller retries too).
    sqs = boto3.session.Session().client(
        "sqs", endpoint_url=os.environ["GIGCONNECT_AWS_ENDPOINT"],
        config=Config(read_timeout=60, retries={"max_attempts": 8, "mode": "standard"}))
    url = container.queue.url(queue_key)  # type: ignore[attr-defined]
    handler = app.handler_map[CONSUMERS[queue_key]]

    def batch() -> int:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not got:
            return 0
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs"} for m in got]
        result = handler({"Records": records}, None) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        done = [m for m in got if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(done)])
        return len(done)

    return batch


def _worker(queue_key: str, environment: dict[str, str], ready: Any, go: Any, upstream_done: Any,
            results: Any) -> None:
    """One warm consumer: handles what arrives until its upstream stage is done and the queue stays empty."""
    batch = _consumer(queue_key, environment)
    ready.put(os.getpid())
    go.wait()
    handled, first, last, idle_since = 0, None, time.perf_counter(), time.monotonic()
    try:
        while not (upstream_done.is_set() and time.monotonic() - idle_since >= IDLE_STOP):
            n = batch()
            if n:
                now = time.perf_counter()
                first = now if first is None else first
                handled, last, idle_since = handled + n, now, time.monotonic()
    except Exception as exc:  # the bench reports it and stops, instead of waiting for a worker that died
        results.put((queue_key, -1, None, f"{type(exc).__name__}: {exc}"))
        return
    results.put((queue_key, handled, first, last))


def pipeline(stages: list[tuple[str, int]], environment: dict[str, str]) -> tuple[float, dict[str, tuple[int, float]]]:
    """Run every stage's consumers at once, as Lambda's pollers do, so no queue piles up (moto's SQS takes
    time in proportion to a queue's length on every call). A stage stops once the stage before it has
    stopped and its own queue stays empty. Returns when it started and, per queue, (messages handled,
    seconds from its first to its last message)."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    done = [context.Event() for _ in stages]
    workers: list[tuple[int, Any]] = []
    for i, (queue_key, consumers) in enumerate(stages):
        for _ in range(consumers):
            workers.append((i, context.Process(target=_worker, args=(queue_key, environment, ready, go,
                                                                     done[i - 1] if i else done[-1], results))))
    for _, worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=180)
    started = time.perf_counter()
    go.set()
    done[-1].set()  # the first stage's upstream (the gig already queued) is done from the start
    per_stage: dict[str, list[tuple[int, float | None, float]]] = {}
    remaining = {i: sum(1 for j, _ in workers if j == i) for i in range(len(stages))}
    for _ in workers:
        queue_key, handled, first, last = results.get(timeout=3600)
        if handled < 0:
            raise SystemExit(f"bench/notify: a {queue_key} consumer failed: {last}")
        per_stage.setdefault(queue_key, []).append((handled, first, last))
        i = next(k for k, (key, _) in enumerate(stages) if key == queue_key)
        remaining[i] -= 1
        if remaining[i] == 0 and i + 1 < len(stages):
            done[i].set()
    for _, worker in workers:
        worker.join()
    out: dict[str, tuple[int, float]] = {}
    for queue_key, rows in per_stage.items():
        firsts = [f for _, f, _ in rows if f is not None]
        lasts = [last for h, _, last in rows if h]
        begin = started if queue_key == stages[0][0] else min(firsts, default=started)
        out[queue_key] = (sum(h for h, _, _ in rows), (max(lasts) - begin) if lasts else 0.0)
    out["end to end"] = (0, max((last for rows in per_stage.values() for h, _, last in rows if h),
                                default=started) - started)
    return started, out


def seed(count: int, rnd: random.Random) -> None:
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_geo import FREELANCER_INDEX, geo_item
    from gigcore.adapters.dynamo_users import to_item
    from gigcore.domain.geo import freelancer_entry
    from gigcore.domain.ids import new_id
    from gigcore.domain.users import FreelancerProfile, Location, Skill, User

    container = bootstrap.container()
    layout = container.geo_layouts.get(FREELANCER_INDEX)
    now = datetime.now(UTC)
    items: list[Any] = []
    for n in range(count):
        distance, bearing = abs(rnd.gauss(0, 2.0)), rnd.uniform(0, 2 * math.pi)
        lat = LAGOS[0] + distance * math.cos(bearing) / 111.195
        lng = LAGOS[1] + distance * math.sin(bearing) / (111.195 * math.cos(math.radians(LAGOS[0])))
        profile = FreelancerProfile(headline="Plumber", bio="Pipes and taps", skills=(Skill("Plumbing", "expert"),),
                                    hourly_rate_amount=500000, hourly_rate_currency="NGN", availability="available",
                                    location=Location(lat, lng), service_radius_km=25.0)
        user = User(id=new_id(), email=f"bench-notify-{n}@example.com", name=f"Freelancer {n}",
                    roles=("freelancer",), password_hash="-",  # noqa: S106 - no password: these users never sign in
                    created_at=now, freelancer_profile=profile, version=1)
        entry = freelancer_entry(user)
        assert entry is not None
        geo = geo_item(FREELANCER_INDEX, layout, entry)
        items += [to_item(user, version=user.version, geo=(geo.pk, geo.sk)), geo.serialize()]
    client, table = container.dynamodb, container.settings.table_name

    def write(chunk: list[Any]) -> None:
        for start in range(0, len(chunk), 25):  # BatchWriteItem takes 25 items a call
            pending: Any = {table: [{"PutRequest": {"Item": item}} for item in chunk[start:start + 25]]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, [items[i:i + 500] for i in range(0, len(items), 500)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--freelancers", type=int, default=5000)
    parser.add_argument("--consumers", type=int, default=4, help="concurrent consumer processes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    _paths()
    from infra.local.services import LocalServices

    services = LocalServices(None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the local services on a kill too
    services.start()
    try:
        environment = services.environment() | {"POWERTOOLS_METRICS_DISABLED": "true",
                                                "GIGCONNECT_GIG_MATCHES_PER_DAY": "5"}
        os.environ.update(environment)
        from gigcore import bootstrap
        from gigcore.domain.ids import new_id

        started = time.perf_counter()
        seed(args.freelancers, random.Random(args.seed))
        print(f"bench/notify: {args.freelancers:,} available freelancers around Lagos written in "
              f"{time.perf_counter() - started:.1f} s; {args.consumers} consumer processes, {os.cpu_count()} cores")

        gig = {"id": new_id(), "owner_id": "bench-client", "title": "Burst pipe in Yaba", "category": "plumbing",
               "skills": ["plumbing"], "status": "open", "location": {"lat": LAGOS[0], "lng": LAGOS[1]}}
        bootstrap.container().queue.send("gig-matching", {"id": new_id(), "type": "gig.created",
                                                          "payload": {"gig_id": gig["id"], "gig": gig}})
        _, measured = pipeline([("gig-matching", 1), ("notifications", args.consumers), ("email", args.consumers)],
                               environment)
        fanned = measured["notifications"][0]
        total = measured["end to end"][1]
        print(f"{'stage (all running at once)':<30}{'messages':>10}{'seconds':>10}{'per second':>12}")
        for name, key in (("match (1 gig.created)", "gig-matching"), ("fan-out (notifications)", "notifications"),
                          ("email (SES)", "email")):
            count, seconds = measured.get(key, (0, 0.0))
            rate = count / seconds if seconds > 0 else 0
            print(f"{name:<30}{count:>10,}{seconds:>10.2f}{rate:>12,.0f}")
        print(f"{'end to end':<30}{fanned:>10,}{total:>10.2f}{fanned / total if total else 0:>12,.0f}  notifications/s "
              f"(gig posted -> every in-app item written and every email accepted by SES)")
        print(json.dumps({"freelancers": args.freelancers, "notifications": fanned,
                          "notifications_per_second": round(fanned / total, 1)}))
    finally:
        services.stop()


if __name__ == "__main__":
    main()
