"""What search costs: the embedded (tantivy) index with 100,000 gigs, in the adapter and through the API.

Builds a tantivy index of synthetic gigs (bench.geo's city-weighted places; titles and descriptions drawn
from a small trade vocabulary, fixed seed) in batches, and prints the indexing throughput. Then, for three
query shapes (text only; text + 10 km radius; text + radius + budget), prints p50/p95 latency of
``SearchIndex.search_gigs`` (a page of 20; with the p95 of its CPU time, which the machine's load does not
inflate) and of ``GET /search/gigs`` called in process as API Gateway calls the Lambda handler, against
DynamoDB Local (the API reads the page's gigs back from the table: the
gigs posted through the API during the run are found, the synthetic ones are not, so each request pays for
its BatchGetItem either way). Goals (issue 7): p95 < 5 ms in the adapter, < 30 ms via the API, 20,000 docs/s.

    python -m bench.search                    # 100,000 gigs, 300 searches per shape
    python -m bench.search --gigs 20000 --searches 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "layers" / "gigcore", REPO / "functions"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench.geo import CATEGORIES, CITIES, SKILLS, city_weighted_point  # noqa: E402
from gigcore.ports.search import GeoPoint, GigDoc, GigSearch  # noqa: E402

TRADES = ("plumber", "electrician", "carpenter", "cleaner", "camera operator", "tutor", "painter", "gardener",
          "welder", "tiler", "driver", "cook")
OBJECTS = ("kitchen sink", "office wiring", "wardrobe", "flat", "wedding shoot", "maths lessons", "fence",
           "garden", "gate", "bathroom floor", "airport run", "party food")
WORDS = ("urgent", "weekend", "small", "large", "two days", "tools provided", "near the market", "repeat work",
         "evening", "careful", "experienced", "quick")
QUERIES = ("plumber sink", "electrician wiring", "wedding camera", "tiler bathroom", "maths tutor", "painter fence",
           "cleaner flat", "welder gate", "cook party", "carpenter wardrobe", "gardner", "electrcian")


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (the runs share cores: figures are read against them)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def make_docs(count: int, seed: int) -> list[GigDoc]:
    rnd = random.Random(seed)
    docs = []
    for i in range(count):
        lat, lng = city_weighted_point(rnd)
        low = rnd.randrange(1, 200) * 100_000
        trade, thing = rnd.choice(TRADES), rnd.choice(OBJECTS)
        docs.append(GigDoc(
            id=f"01J{i:023d}", version=1, open=True, title=f"{trade.capitalize()} for {thing}",
            description=f"{' '.join(rnd.sample(WORDS, 3))}; {rnd.choice(TRADES)} wanted for the {rnd.choice(OBJECTS)}",
            skills=tuple(rnd.sample(SKILLS, 2)), category=rnd.choice(CATEGORIES), location=GeoPoint(lat, lng),
            budget_min=low, budget_max=low + rnd.randrange(0, 100) * 100_000, currency="NGN",
            created_ms=1_700_000_000_000 + i))
    return docs


def shapes(rnd: random.Random) -> dict[str, Callable[[], GigSearch]]:
    def centre() -> GeoPoint:
        _, lat, lng, _, _ = rnd.choice(CITIES)
        return GeoPoint(lat + rnd.uniform(-0.05, 0.05), lng + rnd.uniform(-0.05, 0.05))

    def budget() -> tuple[int, int]:
        low = rnd.randrange(1, 150) * 100_000
        return low, low + 3_000_000

    # as the service asks: with the moment, so that gigs past their deadline are left out in the query
    now_ms = int(time.time() * 1000)
    return {
        "text": lambda: GigSearch(text=rnd.choice(QUERIES), now_ms=now_ms),
        "text + radius": lambda: GigSearch(text=rnd.choice(QUERIES), point=centre(), radius_km=10, now_ms=now_ms),
        "text + radius + budget": lambda: GigSearch(text=rnd.choice(QUERIES), point=centre(), radius_km=10,
                                                    budget_min=(b := budget())[0], budget_max=b[1],
                                                    now_ms=now_ms),
    }


def as_params(q: GigSearch) -> str:
    parts = [f"q={q.text.replace(' ', '+')}"]
    if q.point is not None:
        parts += [f"lat={q.point.lat:.5f}", f"lng={q.point.lng:.5f}", f"radius_km={q.radius_km}"]
    if q.budget_min is not None:
        parts += [f"budget_min={q.budget_min}", f"budget_max={q.budget_max}"]
    return "&".join(parts)


def measure(run: Callable[[], Any], n: int) -> tuple[float, float, float]:
    """p50 and p95 of the wall time (ms), and p95 of this thread's CPU time: on shared cores the wall time
    also counts the waits for a core, the CPU time only the work (of this process: not DynamoDB Local's)."""
    for _ in range(20):
        run()
    walls, cpus = [], []
    for _ in range(n):
        started, cpu = time.perf_counter(), time.thread_time()
        run()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
    return statistics.median(walls), percentile(walls, 95), percentile(cpus, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gigs", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()

    from gigcore.adapters.tantivy_search import TantivySearchIndex

    folder = tempfile.mkdtemp(prefix="bench-search-")
    index = TantivySearchIndex(folder, heap_bytes=128_000_000, threads=2)
    docs = make_docs(args.gigs, seed=7)
    started = time.perf_counter()
    for start in range(0, len(docs), args.batch):
        index.put_gigs(docs[start:start + args.batch])
    took = time.perf_counter() - started
    print(f"bench/search: {args.gigs:,} gigs, tantivy, {args.searches} searches per shape, pages of 20 "
          f"(python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {load_average()})")
    print(f"indexing: {args.gigs / took:,.0f} docs/s ({took:.1f} s, batches of {args.batch:,}, commit per batch)")

    rnd = random.Random(11)
    rows: dict[str, list[float]] = {}
    for name, make in shapes(rnd).items():
        rows[name] = list(measure(lambda make=make: index.search_gigs(make()), args.searches))

    from infra.local.services import LocalServices

    services = LocalServices(None)
    services.start()
    try:
        os.environ.update(services.environment() | {"GIGCONNECT_SEARCH_PATH": folder,
                                                     "POWERTOOLS_METRICS_DISABLED": "true"})
        from app import app
        from chalice.test import Client

        from gigcore import bootstrap
        from gigcore.services.search import doc_of

        with Client(app) as client:
            def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
                headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
                answer = client.http.request(method, path, headers=headers,
                                             body=json.dumps(body).encode() if body is not None else b"")
                if answer.status_code >= 400:
                    raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body[:200]!r}")
                return answer

            token = call("POST", "/auth/signup", {"email": f"bench-{uuid.uuid4().hex}@example.com",
                                                  "password": "correct horse battery", "name": "Bench",
                                                  "roles": ["client"]}).json_body["access_token"]
            container = bootstrap.container()
            posted = []
            for i in range(200):  # real gigs in the table, so some hits are read back and answered
                _, lat, lng, _, _ = CITIES[i % len(CITIES)]
                body = {"title": f"{TRADES[i % len(TRADES)].capitalize()} for {OBJECTS[i % len(OBJECTS)]}",
                        "description": "Posted by bench/search", "category": "plumbing", "skills": ["pipes"],
                        "budget": {"min": {"amount": 500_000, "currency": "NGN"},
                                   "max": {"amount": 9_000_000, "currency": "NGN"}, "type": "fixed"},
                        "location": {"lat": lat, "lng": lng}, "remote": False, "urgency": "low"}
                posted.append(call("POST", "/gigs", body, token).json_body["id"])
            container.search_index.put_gigs([doc_of(g) for g in container.gigs.get_many(posted).values()])
            for name, make in shapes(random.Random(11)).items():
                rows[name] += measure(lambda make=make: call("GET", f"/search/gigs?{as_params(make())}", token=token),
                                      args.searches)[:2]
    finally:
        services.stop()
    print(f"{'query':<26}{'adapter p50':>12}{'p95 ms':>8}{'(cpu p95)':>10}{'API p50':>10}{'p95 ms':>8}")
    for name, (a50, a95, c95, h50, h95) in rows.items():
        print(f"{name:<26}{a50:>12.2f}{a95:>8.2f}{c95:>10.2f}{h50:>10.2f}{h95:>8.2f}")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
