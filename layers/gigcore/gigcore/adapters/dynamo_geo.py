"""The geo indexes on DynamoDB: sparse items on the base table, one partition key per layout partition.

Item: ``pk = GEO#<index>#<partition>`` (partition = a 3-character geohash cell, or a split key inside a dense
one), ``sk = <geohash12>#<id>``, plus the few attributes filters need (declared by
:class:`gigcore.adapters.dynamo_models.GeoItem`, written and read here through the low-level client as
:class:`GeoIndexItem`). Writers put and delete these in the same transaction as the gig or user they describe;
this module reads them, with ``Query pk = :p AND sk BETWEEN :lo AND :hi`` (eventually consistent), in parallel.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DeleteError, DoesNotExist, GetError, PutError

from gigcore.adapters.aws import as_domain_error, raw_answers, unparsed_read
from gigcore.adapters.dynamo_models import GeoLayoutItem, GeoMoveItem
from gigcore.adapters.dynamo_table import number
from gigcore.adapters.dynamo_wire import sender_of
from gigcore.domain import coords, geo
from gigcore.domain.errors import ConflictError, UpstreamUnavailableError
from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.domain.geo_layout import LayoutState, Progress
from gigcore.ports.gigs import RangeAnswer, RangeQuery

GIG_INDEX = "gig"
FREELANCER_INDEX = "freelancer"
LAYOUT_PK = "GEO#LAYOUT"
LAYOUT_TTL_SECONDS = 300.0

#: The stored attribute of each entry field: short names, since a page reads many entries and DynamoDB bills by
#: the byte (the names :class:`gigcore.adapters.dynamo_models.GeoItem` declares).
_F_LAT, _F_LNG, _F_CAT, _F_SKILLS = "la", "ln", "c", "s"
_F_LO, _F_HI, _F_CUR, _F_AV, _F_REACH = "lo", "hi", "cu", "av", "r"
#: The table's time-to-live attribute (infra/resources.yaml, ``TimeToLiveSpecification``).
EXPIRES_AT = "expires_at"


def partition_key(index: str, partition: str) -> str:
    return f"GEO#{index}#{partition}"


@dataclass(frozen=True)
class GeoIndexItem:
    """An entry's stored item: its key and its attribute map in the low-level form (``{"S": ...}``) that
    ``PutItem`` and ``TransactWriteItems`` take. :class:`GeoItem` declares the same layout (names, types, which
    attributes are left out when empty); tests/integration/test_geo_adapter.py holds the two to each other."""

    pk: str
    sk: str
    attributes: dict[str, Any]

    def serialize(self) -> dict[str, Any]:
        """The item to write: the key and the attributes."""
        return {"pk": {"S": self.pk}, "sk": {"S": self.sk}, **self.attributes}


def geo_item(index: str, layout: PartitionLayout, entry: GeoEntry) -> GeoIndexItem:
    """The stored item of ``entry`` in ``index`` under ``layout`` (absent fields are not stored)."""
    key = entry.key
    attributes: dict[str, Any] = {_F_LAT: number(entry.lat), _F_LNG: number(entry.lng)}
    if entry.category is not None:
        attributes[_F_CAT] = {"S": entry.category}
    if entry.skills:
        attributes[_F_SKILLS] = {"L": [{"S": skill} for skill in sorted(entry.skills)]}
    for name, value in ((_F_LO, entry.amount_min), (_F_HI, entry.amount_max)):
        if value is not None:
            attributes[name] = number(value)
    for name, text in ((_F_CUR, entry.currency), (_F_AV, entry.availability)):
        if text is not None:
            attributes[name] = {"S": text}
    if entry.reach_km is not None:
        attributes[_F_REACH] = number(entry.reach_km)
    if entry.until is not None:
        # the table's TTL attribute: DynamoDB deletes the entry (free, within days) once ``until`` has passed
        attributes[EXPIRES_AT] = number(entry.until)
    return GeoIndexItem(pk=partition_key(index, layout.partition_of(key).name), sk=key, attributes=attributes)


def geo_move(index: str, layout: PartitionLayout, entry: GeoEntry | None, stored_pk: str | None,
             stored_sk: str | None) -> tuple[GeoIndexItem | None, tuple[str, str] | None]:
    """What a write does to an owner's geo item: the item to put for ``entry`` (None when it leaves the index)
    and the stored key to delete (None when there is none, or when the put replaces it in place)."""
    item = geo_item(index, layout, entry) if entry is not None else None
    if not stored_pk or not stored_sk or (item is not None and (item.pk, item.sk) == (stored_pk, stored_sk)):
        return item, None
    return item, (stored_pk, stored_sk)


def _number(value: dict[str, str] | None) -> float | None:
    return None if value is None else float(value["N"])


#: The stored attribute of each entry field a reader may ask for (:attr:`RangeQuery.fields`).
_FIELD_ATTRIBUTES = {"category": _F_CAT, "skills": _F_SKILLS, "amount_min": _F_LO, "amount_max": _F_HI,
                     "currency": _F_CUR, "availability": _F_AV, "reach_km": _F_REACH, "until": EXPIRES_AT}


def projection(fields: frozenset[str] | None) -> str | None:
    """The attributes a Query returns for a reader of ``fields`` (None: every attribute)."""
    if fields is None:
        return None
    return ", ".join(["sk", _F_LAT, _F_LNG, *sorted(_FIELD_ATTRIBUTES[f] for f in fields)])


def entry_of(item: dict[str, Any]) -> GeoEntry:
    """A low-level (``{"S": ...}``) item back to its entry; attributes the item lacks (not stored, or not
    projected) are the entry's defaults."""
    size = len(item)
    if size == 3 or (size == 4 and EXPIRES_AT in item):
        # sk, la and ln (and a gig's expiry): what a search that filters on nothing reads (the most common)
        return GeoEntry.stored_at(item["sk"]["S"].split("#", 1)[1], coords.parse_stored(item[_F_LAT]["N"]),
                                  coords.parse_stored(item[_F_LNG]["N"]),
                                  int(item[EXPIRES_AT]["N"]) if size == 4 else None)
    lo, hi = _number(item.get(_F_LO)), _number(item.get(_F_HI))
    return GeoEntry.stored(
        item["sk"]["S"].split("#", 1)[1],
        coords.parse_stored(item[_F_LAT]["N"]),
        coords.parse_stored(item[_F_LNG]["N"]),
        category=item[_F_CAT]["S"] if _F_CAT in item else None,
        skills=frozenset(v["S"] for v in item[_F_SKILLS]["L"]) if _F_SKILLS in item else frozenset(),
        amount_min=None if lo is None else int(lo),
        amount_max=None if hi is None else int(hi),
        currency=item[_F_CUR]["S"] if _F_CUR in item else None,
        availability=item[_F_AV]["S"] if _F_AV in item else None,
        reach_km=_number(item.get(_F_REACH)),
        until=int(item[EXPIRES_AT]["N"]) if EXPIRES_AT in item else None,
    )


def _state_of(item: GeoLayoutItem) -> LayoutState:
    current = PartitionLayout(splits=tuple(str(s) for s in item.splits or ()), histogram=dict(item.histogram or {}),
                              version=int(item.version or 0))
    target = None
    if item.target_splits is not None:
        target = PartitionLayout(splits=tuple(str(s) for s in item.target_splits),
                                 histogram=dict(item.target_histogram or {}), version=int(item.target_version or 0))
    phase = str(item.phase or "stable")
    return LayoutState(current=current, target=target, phase=phase,  # type: ignore[arg-type]
                       since=float(item.since or 0), revision=int(item.revision or 0))


class DynamoGeoLayouts:
    """The layout state of each geo index (one small item each), cached for a few minutes per container.

    Readers plan with :meth:`get` (both layouts together while a move runs), writers put entries under
    :meth:`for_writes`. Only the layout job (gigcore.services.geo_layout) calls :meth:`store`; until it has,
    every 3-character cell is one partition.
    """

    def __init__(self, ttl_seconds: float = LAYOUT_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, LayoutState]] = {}
        self._lock = threading.Lock()

    def state(self, index: str, *, fresh: bool = False) -> LayoutState:
        """The stored state (cached for ``ttl_seconds``; ``fresh``: a strongly consistent read, not cached)."""
        now = time.monotonic()
        if not fresh:
            with self._lock:
                cached = self._cache.get(index)
                if cached is not None and now - cached[0] < self._ttl:
                    return cached[1]
        try:
            state = _state_of(GeoLayoutItem.get(LAYOUT_PK, index, consistent_read=fresh))
        except DoesNotExist:
            state = LayoutState()
        except GetError as exc:
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc
        with self._lock:
            self._cache[index] = (now, state)
        return state

    def get(self, index: str) -> PartitionLayout:
        """The layout a search plans with (see :meth:`LayoutState.for_reads`)."""
        return self.state(index).for_reads()

    def for_writes(self, index: str) -> PartitionLayout:
        """The layout a writer puts an entry under (see :meth:`LayoutState.for_writes`)."""
        return self.state(index).for_writes()

    def store(self, index: str, state: LayoutState, *, expected_revision: int) -> None:
        """Write ``state`` if the stored revision is still ``expected_revision``; :class:`ConflictError` if not."""
        target = state.target
        item = GeoLayoutItem(
            pk=LAYOUT_PK, sk=index, splits=list(state.current.splits),
            histogram=json.loads(json.dumps(dict(state.current.histogram))), version=state.current.version,
            phase=state.phase, since=state.since, revision=state.revision,
            target_splits=None if target is None else list(target.splits),
            target_histogram=None if target is None else json.loads(json.dumps(dict(target.histogram))),
            target_version=None if target is None else target.version)
        # Revision 0: no item yet, or one stored before layouts had revisions.
        condition: Any = (GeoLayoutItem.revision.does_not_exist() | (GeoLayoutItem.revision == 0)
                          if expected_revision == 0 else GeoLayoutItem.revision == expected_revision)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if _cause(exc) == "ConditionalCheckFailedException":
                raise ConflictError("The geo layout was changed by another run.") from exc
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc
        with self._lock:
            self._cache[index] = (time.monotonic(), state)


def _cause(exc: Exception) -> str | None:
    cause = exc.cause if hasattr(exc, "cause") else None
    return getattr(cause, "response", {}).get("Error", {}).get("Code") if cause is not None else None


def merge_answers(answers: Sequence[RangeAnswer]) -> RangeAnswer:
    """One answer from Queries of the same key range under two partitions (a move in progress): entries in key
    order, one per id (the later read's, which was read after the earlier one), cut at the earliest stop."""
    stops = [a.stopped_at for a in answers if a.stopped_at is not None]
    stop = min(stops) if stops else None
    by_id: dict[str, GeoEntry] = {}
    for answer in answers:
        for entry in answer.entries:
            if stop is None or entry.key[: geo.KEY_PRECISION] <= stop:
                by_id[entry.id] = entry
    return RangeAnswer(entries=tuple(sorted(by_id.values(), key=lambda e: e.key)), stopped_at=stop,
                       scanned=sum(a.scanned for a in answers), calls=sum(a.calls for a in answers),
                       capacity=sum(a.capacity for a in answers))


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

    def _queries_of(self, query: RangeQuery, state: LayoutState) -> list[tuple[RangeQuery, bool]]:
        """What to read for ``query``: itself, or while a move runs, the range under its old then its new
        partition, strongly consistent (an entry moved between the two reads is then seen once or twice, never
        missed; an eventually consistent read of the new partition could still miss it)."""
        if state.target is None:
            # Named from the key, not the plan: a search planned with both layouts may read after the move ended.
            name = state.current.partition_of(query.lo).name
            return [(query if name == query.partition else replace(query, partition=name), False)]
        return [(replace(query, partition=name), True) for name in state.partitions_of(query.lo)]

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="geo")
            return self._pool

    def read(self, queries: Sequence[RangeQuery]) -> list[RangeAnswer]:
        state = self._layouts.state(self._index)
        if state.target is not None:
            return list(self._executor().map(lambda q: self._read_moving(q, state), queries))
        resolved = [self._queries_of(q, state)[0][0] for q in queries]
        if len(resolved) <= 1:
            return [self._query(q) for q in resolved]
        sender = sender_of(self._client)
        if sender is None:
            return list(self._executor().map(self._query, resolved))
        # Sent together without a thread each; a read it could not send goes through botocore in _query.
        firsts = sender.send_all([("Query", self._params(q, False, None, 0)) for q in resolved])
        return [self._query(q, first=answer, direct=answer is not None)
                for q, answer in zip(resolved, firsts, strict=True)]

    def _read_moving(self, query: RangeQuery, state: LayoutState) -> RangeAnswer:
        # In order: the old partition first (a move puts the new entry and deletes the old in one transaction).
        return merge_answers([self._query(q, consistent=c) for q, c in self._queries_of(query, state)])

    def _params(self, query: RangeQuery, consistent: bool, start: dict[str, Any] | None,
                scanned: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":p": {"S": partition_key(self._index, query.partition)},
                                          ":lo": {"S": query.lo}, ":hi": {"S": geo.inclusive_upper(query.hi)}},
            "ConsistentRead": consistent,
            "ReturnConsumedCapacity": "TOTAL",
        }
        attributes = projection(query.fields)
        if attributes is not None:
            params["ProjectionExpression"] = attributes
        if query.limit is not None:
            params["Limit"] = query.limit - scanned
        if start is not None:
            params["ExclusiveStartKey"] = start
        return params

    def _query(self, query: RangeQuery, consistent: bool = False, first: dict[str, Any] | None = None,
               direct: bool = True) -> RangeAnswer:
        """The entries of ``query``'s range, page after page; ``first`` is its first answer when already read.
        ``direct=False``: the direct sender failed it, botocore sends it (``aws.unparsed_read``)."""
        if geo.inclusive_upper(query.hi) < query.lo:
            return RangeAnswer(entries=())
        entries: list[GeoEntry] = []
        scanned = calls = 0
        capacity = 0.0
        start: dict[str, Any] | None = None
        stopped: str | None = None
        answer = first
        while True:
            if answer is None:
                try:
                    answer = unparsed_read(self._client, "Query", self._params(query, consistent, start, scanned),
                                           direct=direct)
                except (ClientError, BotoCoreError) as exc:
                    raise as_domain_error(exc, "DynamoDB") from exc
            calls += 1
            scanned += int(answer.get("ScannedCount", 0))
            capacity += float(answer.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0))
            items = answer.get("Items", [])
            entries.extend(entry_of(item) for item in items)
            start = answer.get("LastEvaluatedKey")
            answer = None
            if start is None:
                break
            if query.limit is not None and scanned >= query.limit:
                stopped = start["sk"]["S"][: geo.KEY_PRECISION]
                break
        return RangeAnswer(entries=tuple(entries), stopped_at=stopped, scanned=scanned, calls=calls,
                           capacity=capacity)


#: The owner item of each index's entries, whose ``geo_pk``/``geo_sk`` say where its entry is.
_OWNERS = {GIG_INDEX: ("GIG#{}", "GIG"), FREELANCER_INDEX: ("USER#{}", "PROFILE")}


def owner_key(index: str, entry_id: str, owners: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """The key of the item an entry of ``index`` belongs to (a gig's unless ``owners`` or the index says)."""
    pk, sk = {**_OWNERS, **(owners or {})}.get(index, _OWNERS[GIG_INDEX])
    return {"pk": {"S": pk.format(entry_id)}, "sk": {"S": sk}}


class DynamoGeoLayoutStore:
    """:class:`gigcore.ports.gigs.GeoLayoutStore` on the main table: the layout job's reads and moves."""

    def __init__(self, client: Any, table_name: str, layouts: DynamoGeoLayouts,
                 owners: dict[str, tuple[str, str]] | None = None) -> None:
        self._client = client
        self._table = table_name
        self._layouts = layouts
        #: Owner item keys of indexes other than the two named ones (``{index: (pk format, sk)}``; tests).
        self._owners = owners

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = getattr(self._client, operation)(TableName=self._table, **params)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return answer

    def state(self, index: str) -> LayoutState:
        return self._layouts.state(index, fresh=True)

    def store(self, index: str, state: LayoutState, *, expected_revision: int) -> None:
        self._layouts.store(index, state, expected_revision=expected_revision)

    def scan_keys(self, index: str, spend: Callable[[float], None]) -> list[str]:
        keys: list[str] = []
        start: dict[str, Any] | None = None
        while True:
            params: dict[str, Any] = {
                "FilterExpression": "begins_with(pk, :p)", "ProjectionExpression": "sk",
                "ExpressionAttributeValues": {":p": {"S": partition_key(index, "")}},
                "ReturnConsumedCapacity": "TOTAL", "Limit": 2000}
            if start is not None:
                params["ExclusiveStartKey"] = start
            answer = self._call("scan", **params)
            spend(float(answer.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0)))
            keys.extend(item["sk"]["S"] for item in answer.get("Items", []))
            start = answer.get("LastEvaluatedKey")
            if start is None:
                return keys

    def progress(self, index: str) -> Progress | None:
        try:
            item = GeoMoveItem.get(LAYOUT_PK, f"{index}#move", consistent_read=True)
        except DoesNotExist:
            return None
        except GetError as exc:
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc
        return Progress(version=int(item.version), remaining=tuple(str(p) for p in item.remaining or ()),
                        after=item.after, moved=int(item.moved or 0), capacity=float(item.capacity or 0),
                        revision=int(item.revision or 0))

    def save_progress(self, index: str, progress: Progress | None, *, expected_revision: int | None) -> None:
        """Checkpoint (``None``: the move is over); conditional on the revision read, :class:`ConflictError` if
        another run checkpointed in between."""
        sk = f"{index}#move"
        condition: Any = (GeoMoveItem.pk.does_not_exist() if expected_revision is None
                          else GeoMoveItem.revision == expected_revision)
        try:
            if progress is None:
                GeoMoveItem(pk=LAYOUT_PK, sk=sk).delete(condition=condition)
            else:
                GeoMoveItem(pk=LAYOUT_PK, sk=sk, version=progress.version, remaining=list(progress.remaining),
                            after=progress.after, moved=progress.moved, capacity=progress.capacity,
                            revision=progress.revision).save(condition=condition)
        except (PutError, DeleteError) as exc:
            if _cause(exc) == "ConditionalCheckFailedException":
                raise ConflictError("The geo layout move was checkpointed by another run.") from exc
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc

    def page(self, index: str, partition: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "KeyConditionExpression": "pk = :p" + (" AND sk > :after" if after else ""),
            "ExpressionAttributeValues": {":p": {"S": partition_key(index, partition)},
                                          **({":after": {"S": after}} if after else {})},
            "ConsistentRead": True, "Limit": limit}
        items: list[dict[str, Any]] = self._call("query", **params).get("Items", [])
        return items

    def move(self, index: str, item: dict[str, Any], partition: str) -> float | None:
        """Put ``item`` under ``partition``, delete it where it is and point its owner at it, in one transaction.
        None (nothing written) when the item or its owner changed meanwhile: the owner's own write put its
        entry where it belongs. The owner's version goes up, so a write that read it before fails as any
        concurrent edit does (409, try again) instead of leaving an entry behind."""
        old_pk, sk = item["pk"]["S"], item["sk"]["S"]
        new_pk = partition_key(index, partition)
        table = self._table
        writes = [
            {"Put": {"TableName": table, "Item": {**item, "pk": {"S": new_pk}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": old_pk}, "sk": {"S": sk}},
                        "ConditionExpression": "attribute_exists(pk)"}},
            {"Update": {"TableName": table, "Key": owner_key(index, sk.split("#", 1)[1], self._owners),
                        "UpdateExpression": "SET geo_pk = :new ADD #version :one",
                        "ConditionExpression": "geo_pk = :old AND geo_sk = :sk",
                        "ExpressionAttributeNames": {"#version": "version"},
                        "ExpressionAttributeValues": {":new": {"S": new_pk}, ":old": {"S": old_pk},
                                                      ":sk": {"S": sk}, ":one": {"N": "1"}}}},
        ]
        for attempt in range(5):
            try:
                answer = self._client.transact_write_items(TransactItems=writes, ReturnConsumedCapacity="TOTAL")
            except ClientError as exc:
                reasons = exc.response.get("CancellationReasons") or []
                codes = {r.get("Code") for r in reasons}
                if "ConditionalCheckFailed" in codes:
                    return None
                if "TransactionConflict" in codes and attempt < 4:
                    time.sleep(0.05 * 2**attempt)
                    continue
                raise as_domain_error(exc, "DynamoDB") from exc
            except BotoCoreError as exc:
                raise as_domain_error(exc, "DynamoDB") from exc
            return float(sum(c.get("CapacityUnits", 0.0) for c in answer.get("ConsumedCapacity", [])))
        return None  # unreachable: the last attempt returns or raises
