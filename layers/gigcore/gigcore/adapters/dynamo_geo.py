"""The geo indexes on DynamoDB: sparse items on the base table, one partition key per layout partition.

Item: ``pk = GEO#<index>#<partition>`` (partition = a 3-character geohash cell, or a split key inside a dense
one), ``sk = <geohash12>#<id>``, plus the few attributes filters need (:class:`GeoItem`). Writers put and
delete these in the same transaction as the gig or user they describe; this module reads them, with
``Query pk = :p AND sk BETWEEN :lo AND :hi`` (eventually consistent), in parallel.

A page reads tens to hundreds of these small items, and botocore's response parser walks its model of the
answer for every attribute of every item: that walk cost more CPU than everything else a search does. The
answer of these Queries is already the low-level ``{"S": ...}`` form the search reads, so the adapter takes
the JSON body as it comes (``json.loads``) for its own successful Queries; errors, and every other caller of
the shared client, go through botocore's parser as before.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, GetError, PutError

from gigcore.adapters.aws import raw_answers, translate, unparsed_answers
from gigcore.adapters.dynamo_models import GeoItem, GeoLayoutItem
from gigcore.domain import geo
from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.ports.gigs import RangeAnswer, RangeQuery

GIG_INDEX = "gig"
FREELANCER_INDEX = "freelancer"
LAYOUT_PK = "GEO#LAYOUT"
LAYOUT_TTL_SECONDS = 300.0

_F_LAT, _F_LNG = GeoItem.lat.attr_name, GeoItem.lng.attr_name
_F_CAT, _F_SKILLS = GeoItem.category.attr_name, GeoItem.skills.attr_name
_F_LO, _F_HI = GeoItem.amount_min.attr_name, GeoItem.amount_max.attr_name
_F_CUR, _F_AV = GeoItem.currency.attr_name, GeoItem.availability.attr_name
_F_REACH = GeoItem.reach_km.attr_name

def partition_key(index: str, partition: str) -> str:
    return f"GEO#{index}#{partition}"


def geo_item(index: str, layout: PartitionLayout, entry: GeoEntry) -> GeoItem:
    """The stored item of ``entry`` in ``index`` under ``layout``."""
    key = entry.key
    return GeoItem(
        pk=partition_key(index, layout.partition_of(key).name),
        sk=key,
        lat=entry.lat,
        lng=entry.lng,
        category=entry.category,
        skills=sorted(entry.skills) or None,
        amount_min=entry.amount_min,
        amount_max=entry.amount_max,
        currency=entry.currency,
        availability=entry.availability,
        reach_km=entry.reach_km,
    )


def geo_move(index: str, layout: PartitionLayout, entry: GeoEntry | None,
             stored_pk: str | None, stored_sk: str | None) -> tuple[GeoItem | None, tuple[str, str] | None]:
    """What a write does to an owner's geo item: the item to put for ``entry`` (None when it leaves the index)
    and the stored key to delete (None when there is none, or when the put replaces it in place)."""
    item = geo_item(index, layout, entry) if entry is not None else None
    if not stored_pk or not stored_sk or (item is not None and (item.pk, item.sk) == (stored_pk, stored_sk)):
        return item, None
    return item, (stored_pk, stored_sk)


def _number(value: dict[str, str] | None) -> float | None:
    return None if value is None else float(value["N"])


def entry_of(item: dict[str, Any]) -> GeoEntry:
    """A low-level (``{"S": ...}``) item back to its entry."""
    lo, hi = _number(item.get(_F_LO)), _number(item.get(_F_HI))
    return GeoEntry(
        id=item["sk"]["S"].split("#", 1)[1],
        lat=float(item[_F_LAT]["N"]),
        lng=float(item[_F_LNG]["N"]),
        category=item[_F_CAT]["S"] if _F_CAT in item else None,
        skills=frozenset(v["S"] for v in item[_F_SKILLS]["L"]) if _F_SKILLS in item else frozenset(),
        amount_min=None if lo is None else int(lo),
        amount_max=None if hi is None else int(hi),
        currency=item[_F_CUR]["S"] if _F_CUR in item else None,
        availability=item[_F_AV]["S"] if _F_AV in item else None,
        reach_km=_number(item.get(_F_REACH)),
    )


class DynamoGeoLayouts:
    """The layout of each geo index (one small item each), cached for a few minutes per container.

    A layout is changed only by the re-partitioning procedure of docs/geo.md; until one is stored, every
    3-character cell is one partition.
    """

    def __init__(self, ttl_seconds: float = LAYOUT_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, PartitionLayout]] = {}
        self._lock = threading.Lock()

    def get(self, index: str) -> PartitionLayout:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        try:
            item = GeoLayoutItem.get(LAYOUT_PK, index)
            layout = PartitionLayout(splits=tuple(str(s) for s in item.splits or ()),
                                     histogram=dict(item.histogram or {}),
                                     version=int(item.version or 0))
        except DoesNotExist:
            layout = PartitionLayout()
        except GetError as exc:
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc
        with self._lock:
            self._cache[index] = (now, layout)
        return layout

    def put(self, index: str, layout: PartitionLayout) -> None:
        """Store a layout (the re-partitioning procedure and the benchmark's bulk load use this)."""
        item = GeoLayoutItem(pk=LAYOUT_PK, sk=index, splits=list(layout.splits),
                             histogram=json.loads(json.dumps(dict(layout.histogram))), version=layout.version)
        try:
            item.save()
        except PutError as exc:
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc
        with self._lock:
            self._cache.pop(index, None)


class DynamoGeoIndex:
    """:class:`gigcore.ports.gigs.GeoIndex` over the main table."""

    def __init__(self, client: Any, table_name: str, index: str, layouts: DynamoGeoLayouts,
                 workers: int = 16) -> None:
        self._client = client
        raw_answers(client, "Query")
        self._table = table_name
        self._index = index
        self._layouts = layouts
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def layout(self) -> PartitionLayout:
        return self._layouts.get(self._index)

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="geo")
            return self._pool

    def read(self, queries: Sequence[RangeQuery]) -> list[RangeAnswer]:
        if len(queries) <= 1:
            return [self._query(q) for q in queries]
        return list(self._executor().map(self._query, queries))

    def _query(self, query: RangeQuery) -> RangeAnswer:
        lo = query.lo
        hi = geo.inclusive_upper(query.hi)
        if hi < lo:
            return RangeAnswer(entries=())
        entries: list[GeoEntry] = []
        scanned = calls = 0
        capacity = 0.0
        start: dict[str, Any] | None = None
        stopped: str | None = None
        while True:
            params: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {":p": {"S": partition_key(self._index, query.partition)},
                                              ":lo": {"S": lo}, ":hi": {"S": hi}},
                "ConsistentRead": False,
                "ReturnConsumedCapacity": "TOTAL",
            }
            if query.limit is not None:
                params["Limit"] = query.limit - scanned
            if start is not None:
                params["ExclusiveStartKey"] = start
            try:
                with unparsed_answers():
                    answer = self._client.query(**params)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, "DynamoDB") from exc
            calls += 1
            scanned += int(answer.get("ScannedCount", 0))
            capacity += float(answer.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0))
            items = answer.get("Items", [])
            entries.extend(entry_of(item) for item in items)
            start = answer.get("LastEvaluatedKey")
            if start is None:
                break
            if query.limit is not None and scanned >= query.limit:
                stopped = start["sk"]["S"][: geo.KEY_PRECISION]
                break
        return RangeAnswer(entries=tuple(entries), stopped_at=stopped, scanned=scanned, calls=calls,
                           capacity=capacity)

