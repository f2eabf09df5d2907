"""PynamoDB adapter of :class:`gigcore.ports.gigs.GigRepository`.

A gig write is one ``TransactWriteItems``: the gig item (conditioned on its version and, for a transition,
on the status the state machine moved it from), its geo index entry (put while open and located, deleted
otherwise; its key is remembered on the gig item), and the outbox events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, GetError, PynamoDBConnectionError, QueryError, TransactWriteError
from pynamodb.transactions import TransactWrite

from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoLayouts, geo_item, geo_move
from gigcore.adapters.dynamo_models import EventItem, GeoItem, GigItem, batch_read_raw
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import ConflictError, RetryableError, UpstreamUnavailableError
from gigcore.domain.gigs import Budget, Gig, GigStatus, geo_entry
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.ports import OutboxEvent, TransactItem
from gigcore.ports.gigs import GigPage

_THROTTLED = {"ThrottlingException", "ProvisionedThroughputExceededException"}


def _outage(exc: PynamoDBConnectionError | TransactWriteError) -> Exception:
    if str(getattr(exc, "cause_response_code", "") or "") in _THROTTLED:
        return RetryableError("DynamoDB is throttling requests; try again shortly.")
    return UpstreamUnavailableError("DynamoDB is unavailable.")


def to_item(gig: Gig) -> GigItem:
    sort = f"GIG#{to_rfc3339(gig.created_at)}#{gig.id}"
    item = GigItem(
        pk=f"GIG#{gig.id}",
        sk="GIG",
        id=gig.id,
        owner_id=gig.owner_id,
        title=gig.title,
        description=gig.description,
        category=gig.category,
        skills=list(gig.skills),
        budget_min=gig.budget.min.amount,
        budget_max=gig.budget.max.amount,
        currency=gig.budget.min.currency,
        budget_type=gig.budget.type,
        lat=gig.location.lat if gig.location else None,
        lng=gig.location.lng if gig.location else None,
        remote=gig.remote,
        urgency=gig.urgency,
        deadline=to_rfc3339(gig.deadline) if gig.deadline else None,
        status=gig.status,
        application_count=gig.application_count,
        created_at=to_rfc3339(gig.created_at),
        updated_at=to_rfc3339(gig.updated_at),
        gsi1pk=f"OWNER#{gig.owner_id}",
        gsi1sk=sort,
        gsi2pk=f"OWNER#{gig.owner_id}#{gig.status}",
        gsi2sk=sort,
    )
    if gig.version:
        item.version = gig.version
    return item


def from_item(item: GigItem) -> Gig:
    location = Location(float(item.lat), float(item.lng)) if item.lat is not None and item.lng is not None else None
    return Gig(
        id=item.id,
        owner_id=item.owner_id,
        title=item.title,
        description=item.description or "",
        category=item.category,
        skills=tuple(str(s) for s in item.skills or ()),
        budget=Budget(min=Money(amount=int(item.budget_min), currency=item.currency),
                      max=Money(amount=int(item.budget_max), currency=item.currency),
                      type="hourly" if item.budget_type == "hourly" else "fixed"),
        location=location,
        remote=bool(item.remote),
        urgency=item.urgency,  # type: ignore[arg-type]
        deadline=parse_rfc3339(item.deadline) if item.deadline else None,
        status=item.status,  # type: ignore[arg-type]
        created_at=parse_rfc3339(item.created_at),
        updated_at=parse_rfc3339(item.updated_at),
        application_count=int(item.application_count or 0),
        version=int(item.version or 0),
    )


def from_attributes(attributes: Mapping[str, Any]) -> Gig:
    """A gig from its item as DynamoDB's attribute map, as :func:`from_item` reads the model (a page's batch of
    gigs: instantiating 20 models costs more CPU than the Query that found them)."""
    def text(name: str, default: str | None = None) -> str | None:
        value = attributes.get(name)
        return value["S"] if value is not None and "S" in value else default

    def number(name: str) -> str | None:
        value = attributes.get(name)
        return value["N"] if value is not None and "N" in value else None

    def required(name: str, read: Callable[[str], str | None] = text) -> str:
        value = read(name)
        if value is None:
            raise ValueError(f"the gig item has no {name}")
        return value

    lat, lng, deadline = number("lat"), number("lng"), text("deadline")
    currency = required("currency")
    skills = attributes.get("skills", {}).get("L") or ()
    remote = attributes.get("remote", {}).get("BOOL", False)
    return Gig(
        id=required("id"),
        owner_id=required("owner_id"),
        title=required("title"),
        description=text("description", "") or "",
        category=required("category"),
        skills=tuple(s["S"] for s in skills),
        budget=Budget(min=Money(amount=int(required("budget_min", number)), currency=currency),
                      max=Money(amount=int(required("budget_max", number)), currency=currency),
                      type="hourly" if text("budget_type") == "hourly" else "fixed"),
        location=Location(float(lat), float(lng)) if lat is not None and lng is not None else None,
        remote=bool(remote),
        urgency=required("urgency"),  # type: ignore[arg-type]
        deadline=parse_rfc3339(deadline) if deadline else None,
        status=required("status"),  # type: ignore[arg-type]
        created_at=parse_rfc3339(required("created_at")),
        updated_at=parse_rfc3339(required("updated_at")),
        application_count=int(number("application_count") or 0),
        version=int(number("version") or 0),
    )


class DynamoGigRepository:
    def __init__(self, connection: Connection, layouts: DynamoGeoLayouts, index: str = GIG_INDEX) -> None:
        self._connection = connection
        self._layouts = layouts
        #: The geo index the entries go to (tests give each example an index of its own).
        self._index = index

    def _commit(self, tx_body: Any, conflict: str) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx_body(tx)
        except TransactWriteError as exc:
            reasons = getattr(exc, "cancellation_reasons", None) or []
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
                raise ConflictError(conflict) from exc
            if any(r is not None and r.code == "TransactionConflict" for r in reasons):
                raise ConflictError(conflict) from exc
            raise _outage(exc) from exc

    def add(self, gig: Gig, events: Sequence[OutboxEvent]) -> Gig:
        item = to_item(gig)
        entry = geo_entry(gig)
        index = geo_item(self._index, self._layouts.for_writes(self._index), entry) if entry else None
        if index is not None:
            item.geo_pk, item.geo_sk = index.pk, index.sk

        def body(tx: TransactWrite) -> None:
            tx.save(item, condition=GigItem.pk.does_not_exist())
            if index is not None:
                tx.save(index)
            for event in events:
                tx.save(EventItem.of(event), condition=EventItem.pk.does_not_exist())

        self._commit(body, "A gig with this id already exists.")
        return from_item(item)

    def get(self, gig_id: str) -> Gig | None:
        try:
            return from_item(GigItem.get(f"GIG#{gig_id}", "GIG", consistent_read=True))
        except DoesNotExist:
            return None
        except GetError as exc:
            raise _outage(exc) from exc

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        if not gig_ids:
            return {}
        try:
            return {gig.id: gig for gig in map(from_attributes, batch_read_raw(
                GigItem, [(f"GIG#{gid}", "GIG") for gid in gig_ids]))}
        except (GetError, PynamoDBConnectionError) as exc:
            raise _outage(exc) from exc

    def save(self, gig: Gig, *, expected_status: GigStatus, events: Sequence[OutboxEvent]) -> Gig:
        try:
            stored = GigItem.get(f"GIG#{gig.id}", "GIG", consistent_read=True,
                                 attributes_to_get=["geo_pk", "geo_sk", "version"])
        except DoesNotExist as exc:
            raise ConflictError("The gig no longer exists.") from exc
        except GetError as exc:
            raise _outage(exc) from exc
        item = to_item(gig)
        layout = self._layouts.for_writes(self._index)
        index, stale = geo_move(self._index, layout, geo_entry(gig), stored.geo_pk, stored.geo_sk)
        if index is not None:
            item.geo_pk, item.geo_sk = index.pk, index.sk

        def body(tx: TransactWrite) -> None:
            # The version condition (added by PynamoDB) means the stored geo key read above is still current.
            tx.save(item, condition=GigItem.status == expected_status)
            if stale is not None:
                tx.delete(GeoItem(pk=stale[0], sk=stale[1]))
            if index is not None:
                tx.save(index)
            for event in events:
                tx.save(EventItem.of(event), condition=EventItem.pk.does_not_exist())

        self._commit(body, "The gig was changed by another request; try again.")
        return from_item(item)

    def save_writes(self, gig: Gig, *, expected_status: GigStatus) -> list[TransactItem]:
        try:
            stored = GigItem.get(f"GIG#{gig.id}", "GIG", consistent_read=True,
                                 attributes_to_get=["geo_pk", "geo_sk", "version"])
        except DoesNotExist as exc:
            raise ConflictError("The gig no longer exists.") from exc
        except GetError as exc:
            raise _outage(exc) from exc
        table = GigItem.Meta.table_name
        item = to_item(gig)
        item.version = gig.version + 1
        layout = self._layouts.for_writes(self._index)
        index, stale = geo_move(self._index, layout, geo_entry(gig), stored.geo_pk, stored.geo_sk)
        if index is not None:
            item.geo_pk, item.geo_sk = index.pk, index.sk
        writes: list[TransactItem] = [{"Put": {
            "TableName": table, "Item": item.serialize(),
            "ConditionExpression": "#status = :expected AND #version = :version",
            "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
            "ExpressionAttributeValues": {":expected": {"S": expected_status}, ":version": {"N": str(gig.version)}},
        }}]
        if stale is not None:
            writes.append({"Delete": {"TableName": table, "Key": {"pk": {"S": stale[0]}, "sk": {"S": stale[1]}}}})
        if index is not None:
            writes.append({"Put": {"TableName": table, "Item": index.serialize()}})
        return writes

    def application_counted_write(self, gig_id: str, currency: str) -> TransactItem:
        return {"Update": {
            "TableName": GigItem.Meta.table_name,
            "Key": {"pk": {"S": f"GIG#{gig_id}"}, "sk": {"S": "GIG"}},
            "UpdateExpression": "ADD application_count :one, #version :one",
            "ConditionExpression": "#status = :open AND #currency = :currency",
            "ExpressionAttributeNames": {"#status": "status", "#version": "version", "#currency": "currency"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":open": {"S": "open"}, ":currency": {"S": currency}},
        }}

    def by_owner(self, owner_id: str, *, status: GigStatus | None, limit: int,
                 after: dict[str, str] | None) -> GigPage:
        start = {k: {"S": v} for k, v in after.items()} if after else None
        try:
            if status is None:
                results = GigItem.owner_index.query(f"OWNER#{owner_id}", scan_index_forward=False, limit=limit,
                                                    last_evaluated_key=start)
            else:
                results = GigItem.owner_status_index.query(f"OWNER#{owner_id}#{status}", scan_index_forward=False,
                                                           limit=limit, last_evaluated_key=start)
            gigs = [from_item(item) for item in results]
        except (QueryError, PynamoDBConnectionError) as exc:
            raise _outage(exc) from exc
        last = results.last_evaluated_key
        next_after = {k: str(v["S"]) for k, v in last.items()} if last and len(gigs) >= limit else None
        return GigPage(gigs=gigs, after=next_after)
