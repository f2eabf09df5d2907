"""Warm, in-process latency and CPU time per request of sign-up, login, GET /me, POST /gigs, POST
/gigs/{id}/applications and GET /gigs/nearby.

The Chalice app is called as API Gateway calls the Lambda handler (Chalice's local gateway builds the
event), against DynamoDB Local, moto and localstripe started in memory. Each operation is warmed up, then
measured N times: wall-clock p50/p95 and process CPU time per request ("CPU ms/req", the whole in-process
request; "handler", the part inside the Chalice app's handler, which is what Lambda bills of a warm request;
DynamoDB Local's Java process is in neither).

The nearby cases run on two data sets posted through the API before they are measured:
- "load": the load scenario's (tests/load): 40 gigs within ~8 km of Lagos's centre, searched within 10 km of
  random points near the centre, with no stored layout (as a new deployment runs);
- "dense": 2,000 gigs around Lagos (Gaussian, 4 km spread), searched within 10 km, without a layout and with
  the one the layout job (gigcore.services.geo_layout, as its schedule runs it) makes from them.

    python -m bench.api [--requests 200] [--only "GET /gigs/nearby"] [--profile out.prof]

``--only`` measures the operations whose name starts with the text; ``--profile`` writes a cProfile of each
nearby case (``python -m pstats out.prof.0``) and prints its top entries by own and total time; the geo
Queries then run one after another in the request's thread so that the profile sees them. The profile
counts that thread's CPU time (``time.thread_time``), not the wall clock: waiting on DynamoDB Local, and
other threads holding the GIL, would otherwise be charged to whatever function was running.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
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


CITY = (6.5244, 3.3792)  # Lagos, as in tests/load
NEARBY_CASES = ("GET /gigs/nearby (load data)", "GET /gigs/nearby (dense, no layout)",
                "GET /gigs/nearby (dense, layout)")


def gig_body(lat: float, lng: float, n: int, rng: random.Random) -> dict[str, Any]:
    """A gig as the load scenario posts them."""
    return {"title": f"Bench gig number {n}", "description": "Made by GigConnect's bench/api.",
            "category": rng.choice(["plumbing", "electrical", "cleaning", "moving"]), "skills": ["general"],
            "budget": {"min": {"amount": 500000, "currency": "NGN"}, "max": {"amount": 900000, "currency": "NGN"},
                       "type": "fixed"},
            "location": {"lat": round(lat, 6), "lng": round(lng, 6)}, "remote": False, "urgency": "medium"}


class GeoReads:
    """Counts the gig geo index's Query calls and items read (per page, for the nearby rows)."""

    def __init__(self) -> None:
        from gigcore import bootstrap

        index = bootstrap.container().gig_geo
        self.calls = self.items = 0
        inner = index.read

        def read(queries: Any) -> Any:
            answers = inner(queries)
            self.calls += sum(a.calls for a in answers)
            self.items += sum(a.scanned for a in answers)
            return answers

        index.read = read  # type: ignore[method-assign]


def serial_geo_reads() -> None:
    """Run the geo index's Queries in the calling thread (cProfile only sees the thread that enabled it)."""
    from gigcore import bootstrap

    container = bootstrap.container()
    for index in (container.gig_geo, container.freelancer_geo):
        index.read = lambda queries, _index=index: [_index._query(q) for q in queries]  # type: ignore[method-assign]


class HandlerCpu:
    """Process CPU time spent inside the Lambda handler (the Chalice app called with the gateway's event): what
    Lambda bills of a warm request. The whole request's CPU also counts Chalice's local gateway, which stands in
    for API Gateway (route matching, building the event, a copy of the environment per request)."""

    def __init__(self) -> None:
        from chalice import Chalice

        self.seconds = 0.0
        inner = Chalice.__call__

        def timed(app: Any, event: Any, context: Any) -> Any:
            started = time.process_time()
            try:
                return inner(app, event, context)
            finally:
                self.seconds += time.process_time() - started

        Chalice.__call__ = timed  # type: ignore[method-assign]


class CpuSplit:
    """Where a request's CPU goes: process CPU time spent inside named functions (all threads, so the geo
    Queries' pool counts), wrapped where the handler looks them up. Nested parts are reported inside their
    parent (the geo Queries inside the search)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        inner = getattr(owner, attribute)
        spent = self.spent

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - started

        setattr(owner, attribute, timed)

    @classmethod
    def of_nearby(cls) -> CpuSplit:
        """The parts of GET /gigs/nearby."""
        import chalicelib.gigs as views
        import chalicelib.http.routing as routing
        from gigcore import bootstrap
        from gigcore.cache import CachedReads
        from gigcore.services import nearby

        split = cls()
        container = bootstrap.container()
        split.wrap(routing, "_authenticate", "authentication (access token)")
        split.wrap(nearby, "nearest", "search (planning + geo Queries)")
        split.wrap(container.gig_geo, "read", "  geo Queries (botocore + decoding)")
        split.wrap(CachedReads, "get_many", "the page's gigs (cache or BatchGetItem)")
        split.wrap(container.cursors, "encode", "next cursor")
        split.wrap(views, "nearby_gig_out", "response items (nearby_gig_out)")
        split.wrap(routing, "json_response", "response model_dump")
        split.wrap(routing, "finish_get", "ETag (finish_get)")
        return split

    def report(self, requests: int, total_ms: float) -> str:
        lines = [f"  CPU split over {requests} requests (ms/req):"]
        for name, seconds in self.spent.items():
            lines.append(f"    {name:<46}{seconds * 1000 / requests:>7.2f}")
        counted = sum(s for n, s in self.spent.items() if not n.startswith(" "))
        lines.append(f"    {'the rest (Chalice, gateway event, routing)':<46}"
                     f"{total_ms - counted * 1000 / requests:>7.2f}")
        return "\n".join(lines)


WRITE_CASES = ("POST /gigs", "POST /gigs/{id}/applications")


def write_operations(call: Any, token: str, count: int) -> dict[str, Any]:
    """The warm POSTs of the load scenarios: a client posting a gig, a freelancer applying to one (each
    application to a gig of its own, posted beforehand: one per freelancer and gig)."""
    rng = random.Random(5)
    numbers = iter(range(10**9))
    freelancer = call("POST", "/auth/signup", {"email": f"bench-{uuid.uuid4().hex}@example.com",
                                               "password": "correct horse battery", "name": "Bench",
                                               "roles": ["freelancer"]}).json_body["access_token"]
    gigs = [call("POST", "/gigs", gig_body(CITY[0], CITY[1], n, rng), token=token).json_body["id"]
            for n in range(count)]
    application = {"cover_letter": "Bench.", "estimated_days": 3,
                   "proposed_rate": {"amount": 600000, "currency": "NGN"}}
    return {
        WRITE_CASES[0]: lambda: call("POST", "/gigs", gig_body(CITY[0] + 0.01, CITY[1], next(numbers), rng),
                                     token=token),
        WRITE_CASES[1]: lambda: call("POST", f"/gigs/{gigs.pop()}/applications", application, token=freelancer),
    }


def nearby_operations(call: Any, token: str, dense: int) -> dict[str, Any]:
    """Post the two nearby data sets (docstring above) and return their searches. The load set sits around
    Lagos; the dense set around a point 300 km away (its own 3-character cells), so neither sees the other."""
    from concurrent.futures import ThreadPoolExecutor

    from gigcore import bootstrap
    from gigcore.adapters.dynamo_geo import GIG_INDEX
    from gigcore.services import geo_layout

    rng = random.Random(9)
    far = (CITY[0] + 2.7, CITY[1] + 0.5)
    load = [gig_body(CITY[0] + rng.uniform(-0.07, 0.07), CITY[1] + rng.uniform(-0.07, 0.07), n, rng)
            for n in range(40)]
    spread = 4.0 / 111.32
    crowd = [gig_body(far[0] + rng.gauss(0, spread), far[1] + rng.gauss(0, spread), n, rng) for n in range(dense)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda b: call("POST", "/gigs", b, token=token), load + crowd))
    print(f"posted {len(load)} + {len(crowd)} gigs in {time.perf_counter() - started:.0f} s", flush=True)
    searches = random.Random(11)
    stored: list[bool] = []

    def store_layout() -> None:
        # The layout job, as the schedule runs it: it measures the index the API wrote and stores the histogram
        # (2,000 gigs are far below a partition's target, so it moves nothing).
        if not stored:
            container = bootstrap.container()
            report = geo_layout.run(GIG_INDEX, store=container.geo_layout_store,
                                    settings=container.geo_layout_settings)
            print(f"layout job: {report.action}, {report.entries:,} entries measured", flush=True)
            stored.append(True)

    def search(centre: tuple[float, float], jitter_km: float, layout: bool) -> Any:
        def run() -> Any:
            if layout:
                store_layout()
            d = jitter_km / 111.32
            lat = centre[0] + searches.uniform(-d, d)
            lng = centre[1] + searches.uniform(-d, d) / math.cos(math.radians(centre[0]))
            return call("GET", f"/gigs/nearby?lat={lat:.5f}&lng={lng:.5f}&radius_km=10&limit=20", token=token)
        return run

    return {NEARBY_CASES[0]: search(CITY, 3.3, False), NEARBY_CASES[1]: search(far, 4.0, False),
            NEARBY_CASES[2]: search(far, 4.0, True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="", help="measure only the operations whose name starts with this")
    parser.add_argument("--profile", default="",
                        help="write a cProfile of each nearby case to this path + .<n> and print its top lines")
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--split", action="store_true",
                        help="print where the CPU of each nearby case goes (time in the handler's main parts)")
    parser.add_argument("--dense", type=int, default=2000, help="gigs of the dense nearby data set")
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
            wanted = [name for name in [*operations, *WRITE_CASES, *NEARBY_CASES] if name.startswith(args.only)]
            if any(name in WRITE_CASES for name in wanted):
                operations |= write_operations(call, token, args.requests + 10)
            if any(name in NEARBY_CASES for name in wanted):
                operations |= nearby_operations(call, token, args.dense)
            print(f"bench/api: {args.requests} warm requests each, in process, against DynamoDB Local "
                  f"(python {sys.version.split()[0]})")
            print(f"{'operation':<36}{'p50 ms':>10}{'p95 ms':>10}{'CPU ms/req':>12}{'handler':>9}"
                  f"{'Queries/req':>13}{'items/req':>11}")
            handler = HandlerCpu()
            if args.profile:
                serial_geo_reads()
            reads = GeoReads() if any(name in NEARBY_CASES for name in wanted) else None
            profiles: dict[str, cProfile.Profile] = {}
            for name in wanted:
                run = operations[name]
                for _ in range(10):
                    run()
                walls: list[float] = []
                profile = profiles.setdefault(name, cProfile.Profile(time.thread_time)) if args.profile else None
                calls, items = (reads.calls, reads.items) if reads else (0, 0)
                split = CpuSplit.of_nearby() if args.split and name in NEARBY_CASES else None
                cpu_started, handler_started = time.process_time(), handler.seconds
                for _ in range(args.requests):
                    started = time.perf_counter()
                    if profile is not None:
                        profile.enable()
                    run()
                    if profile is not None:
                        profile.disable()
                    walls.append((time.perf_counter() - started) * 1000)
                cpu = (time.process_time() - cpu_started) * 1000 / args.requests
                in_handler = (handler.seconds - handler_started) * 1000 / args.requests
                geo_reads = ""
                if reads is not None and name in NEARBY_CASES:
                    geo_reads = (f"{(reads.calls - calls) / args.requests:>13.1f}"
                                 f"{(reads.items - items) / args.requests:>11.0f}")
                print(f"{name:<36}{statistics.median(walls):>10.1f}{percentile(walls, 95):>10.1f}{cpu:>12.1f}"
                      f"{in_handler:>9.1f}{geo_reads}", flush=True)
                if split is not None:
                    print(split.report(args.requests, cpu), flush=True)
            if any(name.startswith("POST /auth") for name in wanted):
                print("Sign-up and login are dominated by the Argon2id hash (settings.password_hash_*).")
            for number, (name, profile) in enumerate(profiles.items()):
                path = f"{args.profile}.{number}"
                profile.dump_stats(path)
                for order in ("tottime", "cumulative"):
                    text = io.StringIO()
                    pstats.Stats(profile, stream=text).sort_stats(order).print_stats(args.profile_lines)
                    print(f"---- {name}, by {order} ({path})")
                    print(text.getvalue())
            if profiles:
                print("profiled with the geo Queries run one after another in the request's thread, so cProfile "
                      "sees them (and slows everything)")
    finally:
        services.stop()


if __name__ == "__main__":
    main()
