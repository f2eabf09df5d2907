"""What "near me" costs on DynamoDB: GigConnect's geo index beside the archived awslabs/dynamodb-geo approach.

Loads the same synthetic gigs into DynamoDB Local twice (batch writes, in parallel): GigConnect's sparse geo
index in a table made as infra/resources.yaml makes MainTable, and the awslabs/dynamodb-geo layout in a table
of its own (hash key = the first 6 digits of the S2 cell id, range key = the gig id, a local secondary index
on the S2 cell id). Then, for radii 1, 5, 10, 25 and 50 km around city-weighted random centres, it prints
p50/p95 of: items read per page of 20 (``ScannedCount``), Query calls, read capacity consumed, rounds of
parallel Queries and latency, for the first page and for a full-radius read, and the most items any one
partition key holds. Not a timed test: it prints figures (docs/geo.md keeps the last run).

    python -m bench.geo                 # 200,000 gigs, 60 searches per radius (about 8 minutes on 2 cores)
    python -m bench.geo --gigs 20000 --searches 20      # a quick run

The data: 70% around a handful of cities (Gaussian, a few km of spread), 30% uniform over a Nigeria-sized box;
fixed seed. The awslabs approach is re-implemented here from its published design (it is Java and archived):
cover the bounding square with S2 cells the way its ``S2Manager`` does, one Query per 6-digit hash key per
merged cell range, every page read, then filtered by distance and sorted. Its cell/rectangle intersection is
approximated by the cell's latitude/longitude bounds (slightly more cells than the original, never fewer).
"""

from __future__ import annotations

import argparse
import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "layers" / "gigcore"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import os  # noqa: E402

import boto3  # noqa: E402

from gigcore.domain import geo  # noqa: E402
from gigcore.domain.geo import GeoEntry, PartitionLayout  # noqa: E402
from gigcore.services import nearby  # noqa: E402

REGION = "us-east-1"
PAGE = 20
RADII = (1.0, 5.0, 10.0, 25.0, 50.0)
#: name, lat, lng, share of the clustered gigs, spread (km, one standard deviation)
CITIES = (
    ("Lagos", 6.5244, 3.3792, 0.24, 4.0),
    ("London", 51.5072, -0.1276, 0.20, 5.0),
    ("New York", 40.7128, -74.0060, 0.20, 5.0),
    ("Nairobi", -1.2864, 36.8172, 0.14, 3.0),
    ("Abuja", 9.0765, 7.3986, 0.12, 3.0),
    ("Accra", 5.6037, -0.1870, 0.10, 3.0),
)
CLUSTERED = 0.7
COUNTRY_BOX = (4.0, 14.0, 2.7, 14.7)  # lat_lo, lat_hi, lng_lo, lng_hi: about Nigeria
CATEGORIES = ("plumbing", "electrical", "carpentry", "cleaning", "film-crew", "tutoring")
SKILLS = ("pipes", "wiring", "joinery", "painting", "camera", "lighting", "maths", "english")


# ---- data ------------------------------------------------------------------------------------------------


def city_weighted_point(rnd: random.Random) -> tuple[float, float]:
    """A point drawn as the data is: 70% around a city (by its share), 30% uniform over the country box."""
    if rnd.random() < CLUSTERED:
        pick = rnd.random()
        acc = 0.0
        city = CITIES[-1]
        for candidate in CITIES:
            acc += candidate[3]
            if pick <= acc:
                city = candidate
                break
        _, lat, lng, _, spread = city
        return (lat + rnd.gauss(0, spread) / 111.32,
                lng + rnd.gauss(0, spread) / (111.32 * math.cos(math.radians(lat))))
    return rnd.uniform(COUNTRY_BOX[0], COUNTRY_BOX[1]), rnd.uniform(COUNTRY_BOX[2], COUNTRY_BOX[3])


def make_gigs(count: int, seed: int) -> list[GeoEntry]:
    rnd = random.Random(seed)
    gigs = []
    for i in range(count):
        lat, lng = city_weighted_point(rnd)
        low = rnd.randrange(1, 200) * 100_000
        gigs.append(GeoEntry(id=f"01J{i:023d}", lat=lat, lng=lng, category=rnd.choice(CATEGORIES),
                             skills=frozenset(rnd.sample(SKILLS, 2)), amount_min=low,
                             amount_max=low + rnd.randrange(0, 100) * 100_000, currency="NGN"))
    return gigs


# ---- DynamoDB Local ---------------------------------------------------------------------------------------


class DynamoLocal:
    """DynamoDB Local in memory on a free port (the jar the local stack uses)."""

    def __init__(self) -> None:
        from infra.local.services import ensure_dynamodb_local, free_port

        self.port = free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="bench-geo-dynamodb-", suffix=".log", delete=False)  # noqa: SIM115
        self._process = subprocess.Popen(
            ["java", "-Xms512m", "-Xmx4g", "-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
             "-sharedDb", "-disableTelemetry", "-inMemory", "-port", str(self.port)],
            cwd=ensure_dynamodb_local(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.client = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
                                            region_name=REGION).client(
            "dynamodb", endpoint_url=self.endpoint,
            config=__import__("botocore.config").config.Config(max_pool_connections=64, retries={"max_attempts": 8}))
        deadline = time.monotonic() + 90
        while True:
            try:
                self.client.list_tables(Limit=1)
                return
            except Exception:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError(f"DynamoDB Local did not start; see {self._log.name}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()


def create_main_table(client: Any, stack: str) -> str:
    """MainTable exactly as infra/resources.yaml defines it."""
    from infra.local.cfn import Resolver, load

    properties = Resolver(stack, REGION, {}).resolve(load()["Resources"]["MainTable"]["Properties"])
    spec = {k: properties[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
            if k in properties}
    client.create_table(TableName=properties["TableName"], **spec)
    return str(properties["TableName"])


def write_all(client: Any, table: str, items: Sequence[dict[str, Any]], workers: int = 8) -> None:
    batches = [items[i:i + 25] for i in range(0, len(items), 25)]

    def write(batch: Sequence[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(write, batches))


# ---- S2 cell ids (as awslabs/dynamodb-geo stores them) ----------------------------------------------------

_SWAP, _INVERT, _LOOKUP_BITS, _MAX_LEVEL = 1, 2, 4, 30
_POS_TO_IJ = ((0, 1, 3, 2), (0, 2, 3, 1), (3, 2, 0, 1), (3, 1, 0, 2))
_POS_TO_ORIENTATION = (_SWAP, 0, 0, _INVERT | _SWAP)
_LOOKUP_POS = [0] * (1 << (2 * _LOOKUP_BITS + 2))
_LOOKUP_IJ = [0] * (1 << (2 * _LOOKUP_BITS + 2))


def _init_lookup(level: int, i: int, j: int, origin: int, pos: int, orientation: int) -> None:
    if level == _LOOKUP_BITS:
        ij = (i << _LOOKUP_BITS) + j
        _LOOKUP_POS[(ij << 2) + origin] = (pos << 2) + orientation
        _LOOKUP_IJ[(pos << 2) + origin] = (ij << 2) + orientation
        return
    level, i, j, pos = level + 1, i << 1, j << 1, pos << 2
    order = _POS_TO_IJ[orientation]
    for index in range(4):
        _init_lookup(level, i + (order[index] >> 1), j + (order[index] & 1), origin, pos + index,
                     orientation ^ _POS_TO_ORIENTATION[index])


for _o in range(4):
    _init_lookup(0, 0, 0, _o, 0, _o)


def _xyz_to_face_uv(x: float, y: float, z: float) -> tuple[int, float, float]:
    ax, ay, az = abs(x), abs(y), abs(z)
    face = (0 if ax >= az else 2) if ax >= ay else (1 if ay >= az else 2)
    coord = (x, y, z)[face]
    if coord < 0:
        face += 3
    u, v = {0: (y / x, z / x), 1: (-x / y, z / y), 2: (-x / z, -y / z),
            3: (z / x, y / x), 4: (z / y, -x / y), 5: (-y / z, -x / z)}[face]
    return face, u, v


def _face_uv_to_xyz(face: int, u: float, v: float) -> tuple[float, float, float]:
    return {0: (1.0, u, v), 1: (-u, 1.0, v), 2: (-u, -v, 1.0),
            3: (-1.0, -v, -u), 4: (v, -1.0, -u), 5: (v, u, -1.0)}[face]


def _uv_to_st(u: float) -> float:
    return 0.5 * math.sqrt(1 + 3 * u) if u >= 0 else 1 - 0.5 * math.sqrt(1 - 3 * u)


def _st_to_uv(s: float) -> float:
    return (4 * s * s - 1) / 3 if s >= 0.5 else (1 - 4 * (1 - s) * (1 - s)) / 3


def s2_cell_id(lat: float, lng: float) -> int:
    """The leaf S2 cell id (unsigned 64-bit) of a point."""
    phi, theta = math.radians(lat), math.radians(lng)
    face, u, v = _xyz_to_face_uv(math.cos(phi) * math.cos(theta), math.cos(phi) * math.sin(theta), math.sin(phi))
    size = 1 << _MAX_LEVEL
    i = min(size - 1, max(0, int(_uv_to_st(u) * size)))
    j = min(size - 1, max(0, int(_uv_to_st(v) * size)))
    n = face << 60
    bits = face & _SWAP
    mask = (1 << _LOOKUP_BITS) - 1
    for k in range(7, -1, -1):
        bits += ((i >> (k * _LOOKUP_BITS)) & mask) << (_LOOKUP_BITS + 2)
        bits += ((j >> (k * _LOOKUP_BITS)) & mask) << 2
        bits = _LOOKUP_POS[bits]
        n |= (bits >> 2) << (k * 2 * _LOOKUP_BITS)
        bits &= _SWAP | _INVERT
    return (n << 1) | 1


def _lsb(cell: int) -> int:
    return cell & -cell


def _level(cell: int) -> int:
    return _MAX_LEVEL - ((_lsb(cell).bit_length() - 1) >> 1)


def _children(cell: int) -> list[int]:
    step = _lsb(cell) >> 1
    first = cell - _lsb(cell) + (step >> 1)
    return [first + k * step for k in range(4)]


def _face_ij(cell: int) -> tuple[int, int, int]:
    face = cell >> 61
    bits = face & _SWAP
    i = j = 0
    for k in range(7, -1, -1):
        nbits = _MAX_LEVEL - 7 * _LOOKUP_BITS if k == 7 else _LOOKUP_BITS
        bits += ((cell >> (k * 2 * _LOOKUP_BITS + 1)) & ((1 << (2 * nbits)) - 1)) << 2
        bits = _LOOKUP_IJ[bits]
        i += (bits >> (_LOOKUP_BITS + 2)) << (k * _LOOKUP_BITS)
        j += ((bits >> 2) & ((1 << _LOOKUP_BITS) - 1)) << (k * _LOOKUP_BITS)
        bits &= _SWAP | _INVERT
    return face, i, j


def _cell_bound(cell: int) -> geo.Box:
    """A latitude/longitude box around the cell (its vertices, widened for the curvature of its edges)."""
    face, i, j = _face_ij(cell)
    size = 1 << (_MAX_LEVEL - _level(cell))
    i0, j0 = i & ~(size - 1), j & ~(size - 1)
    steps = 4
    u_lo, u_hi = (_st_to_uv((i0 + size * a) / (1 << _MAX_LEVEL)) for a in (0, 1))
    v_lo, v_hi = (_st_to_uv((j0 + size * b) / (1 << _MAX_LEVEL)) for b in (0, 1))
    points = [(_st_to_uv((i0 + size * a / steps) / (1 << _MAX_LEVEL)),
               _st_to_uv((j0 + size * b / steps) / (1 << _MAX_LEVEL)))
              for a in range(steps + 1) for b in range(steps + 1) if a in (0, steps) or b in (0, steps)]
    # Latitude is extreme where u or v is nearest 0 (a face's centre line), which may lie inside an edge or,
    # on the polar faces, inside the cell (the pole itself): sample those points too.
    u0, v0 = min(max(0.0, u_lo), u_hi), min(max(0.0, v_lo), v_hi)
    points += [(u0, v_lo), (u0, v_hi), (u_lo, v0), (u_hi, v0), (u0, v0)]
    lats, lngs = [], []
    for u, v in points:
        x, y, z = _face_uv_to_xyz(face, u, v)
        lats.append(math.degrees(math.atan2(z, math.hypot(x, y))))
        if math.hypot(x, y) > 1e-12:  # the pole has no longitude
            lngs.append(math.degrees(math.atan2(y, x)))
    pad = 0.05 * (max(lats) - min(lats)) + 1e-9
    lat_lo, lat_hi = max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad)
    pole_inside = face in (2, 5) and u_lo < 0 < u_hi and v_lo < 0 < v_hi
    if pole_inside:
        return geo.Box(lat_lo, lat_hi, -180.0, 180.0)
    if max(lngs) - min(lngs) > 180:  # across the antimeridian: a box in [0, 360) that _boxes_meet unwraps
        lngs = [x % 360 for x in lngs]
    lpad = 0.05 * (max(lngs) - min(lngs)) + 1e-9
    return geo.Box(lat_lo, lat_hi, min(lngs) - lpad, max(lngs) + lpad)


def _boxes_meet(a: geo.Box, b: geo.Box) -> bool:
    """Whether two boxes overlap; either may lie in [0, 360) of longitude (a cell across the antimeridian)."""
    return a.lat_lo <= b.lat_hi and b.lat_lo <= a.lat_hi and any(
        a.lng_lo + shift <= b.lng_hi and b.lng_lo <= a.lng_hi + shift for shift in (-360.0, 0.0, 360.0))


def awslabs_rect(lat: float, lng: float, radius_km: float) -> geo.Box:
    """The bounding "square" dynamodb-geo builds around a radius query (its own arithmetic)."""
    lat_ref = (lat - 1.0) if lat > 0 else (lat + 1.0)
    lng_ref = (lng - 1.0) if lng > 0 else (lng + 1.0)
    lat_for_radius = radius_km / geo.haversine_km(lat, lng, lat_ref, lng)
    lng_for_radius = radius_km / geo.haversine_km(lat, lng, lat, lng_ref)
    return geo.Box(lat - lat_for_radius, lat + lat_for_radius, lng - lng_for_radius, lng + lng_for_radius)


def awslabs_cells(rect: geo.Box) -> list[int]:
    """dynamodb-geo's covering: descend while 1-2 children meet the rectangle, take 3, or the parent of 4."""
    queue = [(face << 61) | (1 << 60) for face in range(6)]
    queue = [c for c in queue if _boxes_meet(rect, _cell_bound(c))]
    found: list[int] = []
    while queue:
        cell = queue.pop(0)
        kids = [c for c in _children(cell) if _boxes_meet(rect, _cell_bound(c))]
        if len(kids) in (1, 2):
            for kid in kids:
                (found if _level(kid) == _MAX_LEVEL else queue).append(kid)
        elif len(kids) == 3:
            found.extend(kids)
        elif len(kids) == 4:
            found.append(cell)
    return sorted(set(found))


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def awslabs_hash_key(cell_id: int, length: int = 6) -> int:
    geohash = _signed(cell_id)
    if geohash < 0:
        length += 1
    text = str(geohash)
    denominator = 10 ** (len(text) - length)
    return int(geohash / denominator) if geohash < 0 else geohash // denominator


def awslabs_ranges(cells: Sequence[int], length: int = 6) -> list[tuple[int, int, int]]:
    """(hash key, min, max) per Query: cell ranges merged when adjacent, then split at hash key boundaries."""
    merged: list[list[int]] = []
    for cell in cells:
        lo, hi = _signed(cell - _lsb(cell) + 1), _signed(cell + _lsb(cell) - 1)
        for r in merged:
            if 0 < lo - r[1] <= 2:
                r[1] = hi
                break
        else:
            merged.append([lo, hi])
    out = []
    for lo, hi in merged:
        lo_key, hi_key = awslabs_hash_key(lo, length), awslabs_hash_key(hi, length)
        if lo_key == hi_key:
            out.append((lo_key, lo, hi))
            continue
        denominator = 10 ** (len(str(lo)) - len(str(lo_key)))
        for key in range(lo_key, hi_key + 1):
            if key > 0:
                out.append((key, lo if key == lo_key else key * denominator,
                            hi if key == hi_key else (key + 1) * denominator - 1))
            else:
                out.append((key, lo if key == lo_key else (key - 1) * denominator + 1,
                            hi if key == hi_key else key * denominator))
    return out


# ---- measuring ---------------------------------------------------------------------------------------------


@dataclass
class Sample:
    calls: int
    scanned: int
    capacity: float
    seconds: float
    rounds: int = 1
    results: int = 0


class MeteredIndex:
    """The DynamoDB geo index adapter, timed."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def layout(self) -> PartitionLayout:
        return self.inner.layout()  # type: ignore[no-any-return]

    def read(self, queries: Sequence[Any]) -> list[Any]:
        return self.inner.read(queries)  # type: ignore[no-any-return]


def awslabs_search(client: Any, table: str, lat: float, lng: float, radius_km: float,
                   pool: ThreadPoolExecutor) -> tuple[Sample, list[tuple[float, str]]]:
    started = time.perf_counter()
    ranges = awslabs_ranges(awslabs_cells(awslabs_rect(lat, lng, radius_km)))

    def run(spec: tuple[int, int, int]) -> tuple[int, int, float, list[tuple[float, str]]]:
        key, lo, hi = spec
        calls = scanned = 0
        capacity = 0.0
        hits: list[tuple[float, str]] = []
        start = None
        while True:
            params: dict[str, Any] = {
                "TableName": table, "IndexName": "geohash-index", "ReturnConsumedCapacity": "TOTAL",
                "KeyConditionExpression": "hashKey = :h AND geohash BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {":h": {"N": str(key)}, ":lo": {"N": str(lo)}, ":hi": {"N": str(hi)}}}
            if start:
                params["ExclusiveStartKey"] = start
            answer = client.query(**params)
            calls += 1
            scanned += answer["ScannedCount"]
            capacity += answer.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0)
            for item in answer["Items"]:
                point = item["geoJson"]["S"].split(",")
                d = geo.haversine_km(lat, lng, float(point[0]), float(point[1]))
                if d <= radius_km:
                    hits.append((d, item["rangeKey"]["S"]))
            start = answer.get("LastEvaluatedKey")
            if not start:
                return calls, scanned, capacity, hits

    results = list(pool.map(run, ranges))
    hits = sorted(h for r in results for h in r[3])
    sample = Sample(calls=sum(r[0] for r in results), scanned=sum(r[1] for r in results),
                    capacity=sum(r[2] for r in results), seconds=time.perf_counter() - started, results=len(hits))
    return sample, hits


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def row(label: str, samples: Sequence[Sample], pick: Callable[[Sample], float], fmt: str = "{:.0f}") -> str:
    values = [pick(s) for s in samples]
    return f"{label} {fmt.format(pct(values, 50)):>8} {fmt.format(pct(values, 95)):>8}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gigs", type=int, default=200_000)
    parser.add_argument("--searches", type=int, default=60, help="searches per radius")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--target", type=int, default=8000, help="entries per partition the layout aims at")
    args = parser.parse_args(argv)

    # DynamoDB Local accepts any credentials; PynamoDB (the layout item) reads them from the environment.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoIndex, DynamoGeoLayouts, DynamoGeoLayoutStore
    from gigcore.adapters.dynamo_gigs import DynamoGigReader
    from gigcore.adapters.dynamo_models import bind
    from gigcore.adapters.dynamo_unit_of_work import unit_of_work_factory
    from gigcore.domain.gigs import geo_entry
    from gigcore.domain.users import Principal
    from gigcore.schemas.gigs import CreateGigRequest
    from gigcore.services import geo_layout
    from gigcore.services.gigs import create_gig

    drawn = make_gigs(args.gigs, args.seed)

    local = DynamoLocal()
    try:
        client = local.client
        table = create_main_table(client, "bench-geo")
        client.create_table(
            TableName="bench-awslabs-geo", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "hashKey", "AttributeType": "N"},
                                  {"AttributeName": "rangeKey", "AttributeType": "S"},
                                  {"AttributeName": "geohash", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "hashKey", "KeyType": "HASH"},
                       {"AttributeName": "rangeKey", "KeyType": "RANGE"}],
            LocalSecondaryIndexes=[{"IndexName": "geohash-index", "Projection": {"ProjectionType": "ALL"},
                                    "KeySchema": [{"AttributeName": "hashKey", "KeyType": "HASH"},
                                                  {"AttributeName": "geohash", "KeyType": "RANGE"}]}])
        bind(table, local.endpoint, REGION)
        layouts = DynamoGeoLayouts()
        units = unit_of_work_factory(client, table, DynamoGigReader(client, table, layouts))

        # The gigs go in as POST /gigs puts them (the service and the gig repository: gig item, geo entry and
        # outbox events in one transaction), with no layout stored: as a new deployment fills up.
        t0 = time.perf_counter()
        client_principal = Principal(user_id="01JBENCHCLIENT0000000000000", roles=("client",))
        now = datetime.now(UTC)

        def post(g: GeoEntry) -> GeoEntry:
            body = {"title": "Bench gig", "description": "Made by GigConnect's bench/geo.", "category": g.category,
                    "skills": sorted(g.skills),
                    "budget": {"min": {"amount": g.amount_min, "currency": "NGN"},
                               "max": {"amount": g.amount_max, "currency": "NGN"}, "type": "fixed"},
                    "location": {"lat": round(g.lat, 6), "lng": round(g.lng, 6)}, "remote": False,
                    "urgency": "medium"}
            entry = geo_entry(create_gig(client_principal, CreateGigRequest.model_validate(body).draft(),
                                         uow=units, now=now))
            assert entry is not None
            return entry

        with ThreadPoolExecutor(max_workers=8) as writers:
            gigs = list(writers.map(post, drawn, chunksize=64))
        print(f"bench/geo: {len(gigs):,} gigs (seed {args.seed}) posted through the gig service in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)

        # Then the layout job, as its schedule runs it (no settling needed in one process; unthrottled here, its
        # cost priced at the default throttle below).
        job_settings = geo_layout.LayoutJobSettings(target=args.target, settle_seconds=0.0, wcu_per_second=1e9,
                                                    rcu_per_second=1e9, budget_seconds=1e9)
        store = DynamoGeoLayoutStore(client, table, layouts)
        t0 = time.perf_counter()
        reports = []
        while True:
            reports.append(geo_layout.run(GIG_INDEX, store=store, settings=job_settings))
            if reports[-1].action in ("done", "unchanged", "histogram", "busy"):
                break
        job_seconds = time.perf_counter() - t0
        layout = store.state(GIG_INDEX).current
        keys = [geo.encode(g.lat, g.lng) for g in gigs]
        counts = geo.partition_counts(layout, keys)
        first, last = reports[0], reports[-1]
        default = geo_layout.LayoutJobSettings()
        print(f"layout job: {' -> '.join(r.action for r in reports)} in {job_seconds:.0f} s here; measured "
              f"{first.entries:,} entries ({first.read_capacity:,.0f} RCU), largest partition {first.largest_now:,} "
              f"before; {len(layout.splits)} split keys, {len(counts)} partitions, histogram of "
              f"{len(layout.histogram)} cells", flush=True)
        print(f"most items under one partition key on the job's layout: {max(counts.values()):,} of {len(gigs):,} "
              f"(goal: at most 10,000)", flush=True)
        print(f"move: {last.moved:,} entries moved, {last.capacity:,.0f} WCU "
              f"({last.capacity / max(last.moved, 1):.1f} per entry); at the default throttle of "
              f"{default.wcu_per_second:g} WCU/s {last.capacity / default.wcu_per_second / 60:.0f} min, measuring at "
              f"{default.rcu_per_second:g} RCU/s {first.read_capacity / default.rcu_per_second / 60:.1f} min",
              flush=True)

        t0 = time.perf_counter()
        baseline_keys: dict[int, int] = {}
        theirs = []
        for g in gigs:
            cell = _signed(s2_cell_id(g.lat, g.lng))
            key = awslabs_hash_key(cell)
            baseline_keys[key] = baseline_keys.get(key, 0) + 1
            theirs.append({"hashKey": {"N": str(key)}, "rangeKey": {"S": g.id}, "geohash": {"N": str(cell)},
                           "geoJson": {"S": f"{g.lat!r},{g.lng!r}"}})
        write_all(client, "bench-awslabs-geo", theirs)
        print(f"loaded the awslabs layout into DynamoDB Local in {time.perf_counter() - t0:.0f} s", flush=True)

        index = DynamoGeoIndex(client, table, GIG_INDEX, layouts)
        pool = ThreadPoolExecutor(max_workers=16)
        print()
        header = ("radius  searches | GigConnect geo index: first page of 20               | full-radius read"
                  "                                 | awslabs/dynamodb-geo (page = full read)")
        print(header)
        results: list[str] = []
        for radius in RADII:
            rnd = random.Random(f"{args.seed}-{radius}")
            pages: list[Sample] = []
            fulls: list[Sample] = []
            base: list[Sample] = []
            amp: list[float] = []
            base_amp: list[float] = []
            for _ in range(args.searches):
                lat, lng = city_weighted_point(rnd)
                query = nearby.NearbyQuery(lat=lat, lng=lng, radius_km=radius, limit=PAGE)
                started = time.perf_counter()
                page = nearby.nearest(index, query)
                pages.append(Sample(page.stats.calls, page.stats.scanned, page.stats.capacity,
                                    time.perf_counter() - started, page.stats.rounds, len(page.hits)))
                started = time.perf_counter()
                hits, stats = nearby.within(index, query)
                fulls.append(Sample(stats.calls, stats.scanned, stats.capacity, time.perf_counter() - started,
                                    stats.rounds, len(hits)))
                sample, their_hits = awslabs_search(client, "bench-awslabs-geo", lat, lng, radius, pool)
                base.append(sample)
                mine = [(round(h.distance_km, 9), h.entry.id) for h in hits]
                other = [(round(d, 9), i) for d, i in their_hits]
                assert mine == other, f"both must find the same gigs at {lat!r},{lng!r} r={radius}: " \
                    f"only ours {sorted(set(mine) - set(other))[:5]}, only awslabs {sorted(set(other) - set(mine))[:5]}"
                if len(hits) >= 50:
                    amp.append(stats.scanned / len(hits))
                    base_amp.append(sample.scanned / len(hits))
            results.append(render(radius, pages, fulls, base, amp, base_amp))
            print(results[-1], flush=True)
        print()
        print(f"most items under one partition key: GigConnect {max(counts.values()):,} (goal: at most 10,000; "
              f"of {len(counts)} partitions); awslabs 6-digit hash key {max(baseline_keys.values()):,} "
              f"(of {len(baseline_keys)} keys)")
        print("reads are eventually consistent; latency is DynamoDB Local's on this machine (compare, do not quote)")
    finally:
        local.stop()


def render(radius: float, pages: Sequence[Sample], fulls: Sequence[Sample], base: Sequence[Sample],
           amp: Sequence[float], base_amp: Sequence[float]) -> str:
    def two(values: Sequence[float], fmt: str = "{:.0f}") -> str:
        return f"{fmt.format(pct(values, 50))}/{fmt.format(pct(values, 95))}"

    ms = [s.seconds * 1000 for s in pages]
    return "\n".join([
        f"{radius:>4.0f} km  n={len(pages):<3} results p50/p95 {two([s.results for s in fulls])}",
        f"   first page : rounds {two([s.rounds for s in pages])}  Query calls {two([s.calls for s in pages])}"
        f"  items read {two([s.scanned for s in pages])}  RCU {two([s.capacity for s in pages], '{:.1f}')}"
        f"  latency ms {two(ms)}",
        f"   full read  : Query calls {two([s.calls for s in fulls])}  items read {two([s.scanned for s in fulls])}"
        f"  read/result {two(amp, '{:.2f}')} (n={len(amp)})  RCU {two([s.capacity for s in fulls], '{:.0f}')}"
        f"  latency ms {two([s.seconds * 1000 for s in fulls])}",
        f"   awslabs    : Query calls {two([s.calls for s in base])}  items read {two([s.scanned for s in base])}"
        f"  read/result {two(base_amp, '{:.2f}')}  RCU {two([s.capacity for s in base], '{:.0f}')}"
        f"  latency ms {two([s.seconds * 1000 for s in base])}",
    ])


if __name__ == "__main__":
    main()
