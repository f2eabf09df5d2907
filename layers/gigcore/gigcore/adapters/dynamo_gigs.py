"""DynamoDB adapter of the gigs (docs/data-model.md), through the low-level client: the reads of
:class:`gigcore.ports.gigs.GigReader`, and the entries the unit of work (``gigcore.adapters.dynamo_unit_of_work``)
writes for a gig: the gig item (conditioned on its version and, for a transition, on the status the state
machine moved it from) and its geo index entry (put while open and located, deleted otherwise; its key is
remembered on the gig item).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gigcore.adapters.aws import raw_answers
from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoLayouts, geo_item, geo_move
from gigcore.adapters.dynamo_table import DynamoTable, number, text
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.gigs import Budget, Gig, GigStatus, geo_entry
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.ports.gigs import GigPage

#: BatchGetItem reads at most this many keys a call.


def gig_key(gig_id: str) -> dict[str, Any]:
    return {"pk": text(f"GIG#{gig_id}"), "sk": text("GIG")}


def gig_item(gig: Gig, version: int, geo_key: tuple[str, str] | None) -> dict[str, Any]:
    """The stored gig item at ``version`` (attribute for attribute what the gig's PynamoDB model wrote, so items
    written before and after read the same), with the key of its geo index entry when it has one."""
    sort = f"GIG#{to_rfc3339(gig.created_at)}#{gig.id}"
    item: dict[str, Any] = gig_key(gig.id) | {
        "kind": text("gig"), "id": text(gig.id), "owner_id": text(gig.owner_id), "title": text(gig.title),
        "description": text(gig.description), "category": text(gig.category),
        "skills": {"L": [text(s) for s in gig.skills]},
        "budget_min": {"N": json.dumps(gig.budget.min.amount)}, "budget_max": {"N": json.dumps(gig.budget.max.amount)},
        "currency": text(gig.budget.min.currency), "budget_type": text(gig.budget.type),
        "remote": {"BOOL": gig.remote}, "urgency": text(gig.urgency), "status": text(gig.status),
        "application_count": {"N": json.dumps(gig.application_count)},
        "created_at": text(to_rfc3339(gig.created_at)), "updated_at": text(to_rfc3339(gig.updated_at)),
        "gsi1pk": text(f"OWNER#{gig.owner_id}"), "gsi1sk": text(sort),
        "gsi2pk": text(f"OWNER#{gig.owner_id}#{gig.status}"), "gsi2sk": text(sort),
        "version": {"N": json.dumps(version)},
    }
    if gig.location is not None:
        item["lat"], item["lng"] = {"N": json.dumps(gig.location.lat)}, {"N": json.dumps(gig.location.lng)}
    if gig.deadline is not None:
        item["deadline"] = text(to_rfc3339(gig.deadline))
    if geo_key is not None:
        item["geo_pk"], item["geo_sk"] = text(geo_key[0]), text(geo_key[1])
    return item


def from_attributes(attributes: Mapping[str, Any]) -> Gig:
    """A gig from its item as DynamoDB's attribute map (no model is instantiated: for a page's batch of gigs that
    costs more CPU than the Query that found them)."""
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


def application_counted(gig_id: str, currency: str, table: str) -> dict[str, Any]:
    """Raise the gig's ``application_count`` (and its version) if it is open and its budget in ``currency``."""
    return {"Update": {
        "TableName": table, "Key": gig_key(gig_id),
        "UpdateExpression": "ADD application_count :one, #version :one",
        "ConditionExpression": "#status = :open AND #currency = :currency",
        "ExpressionAttributeNames": {"#status": "status", "#version": "version", "#currency": "currency"},
        "ExpressionAttributeValues": {":one": number(1), ":open": text("open"), ":currency": text(currency)},
    }}


class DynamoGigReader(DynamoTable):
    """The gigs of the main table: the reads, and the entries that write a gig with its geo index entry."""

    def __init__(self, client: Any, table_name: str, layouts: DynamoGeoLayouts, index: str = GIG_INDEX) -> None:
        super().__init__(client, table_name)
        self._layouts = layouts
        #: The geo index the entries go to (tests give each example an index of its own).
        self._index = index
        raw_answers(client, "BatchGetItem")

    def get(self, gig_id: str) -> Gig | None:
        item = self.item(f"GIG#{gig_id}", "GIG")
        return from_attributes(item) if item else None

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        """Eventually consistent BatchGetItem calls whose answers skip botocore's parser (a page's gigs)."""
        found = self.batch_get([gig_key(gid) for gid in dict.fromkeys(gig_ids)])
        return {gig.id: gig for gig in map(from_attributes, found)}

    def by_owner(self, owner_id: str, *, status: GigStatus | None, limit: int,
                 after: dict[str, str] | None) -> GigPage:
        index, key = ("gsi1", f"OWNER#{owner_id}") if status is None else ("gsi2", f"OWNER#{owner_id}#{status}")
        items, following = self.newest_first(limit, after, IndexName=index, KeyConditionExpression=f"{index}pk = :pk",
                                             ExpressionAttributeValues={":pk": text(key)})
        return GigPage(gigs=[from_attributes(i) for i in items], after=following)

    def add_entries(self, gig: Gig) -> list[dict[str, Any]]:
        """A new gig at version 1 (only if absent) and its geo index entry when it belongs there."""
        entry = geo_entry(gig)
        geo = geo_item(self._index, self._layouts.for_writes(self._index), entry) if entry else None
        key = (geo.pk, geo.sk) if geo is not None else None
        entries: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": gig_item(gig, 1, key),
            "ConditionExpression": "attribute_not_exists(pk) AND attribute_not_exists(#version)",
            "ExpressionAttributeNames": {"#version": "version"}}}]
        if geo is not None:
            entries.append({"Put": {"TableName": self._table, "Item": geo.serialize()}})
        return entries

    def save_entries(self, gig: Gig, expected_status: GigStatus) -> list[dict[str, Any]] | None:
        """``gig`` at version + 1 if it is still at its version and in ``expected_status``, with its geo index
        entry moved, put or deleted; None when the gig is not stored."""
        stored = self.call("get_item", Key=gig_key(gig.id), ConsistentRead=True,
                           ProjectionExpression="geo_pk, geo_sk, version").get("Item")
        if stored is None:
            return None
        stored_pk, stored_sk = stored.get("geo_pk", {}).get("S"), stored.get("geo_sk", {}).get("S")
        geo, stale = geo_move(self._index, self._layouts.for_writes(self._index), geo_entry(gig), stored_pk,
                              stored_sk)
        # The version condition means the stored geo key read above is still current.
        entries: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": gig_item(gig, gig.version + 1, (geo.pk, geo.sk) if geo else None),
            "ConditionExpression": "#status = :expected AND #version = :version",
            "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
            "ExpressionAttributeValues": {":expected": text(expected_status), ":version": number(gig.version)}}}]
        if stale is not None:
            entries.append({"Delete": {"TableName": self._table,
                                       "Key": {"pk": text(stale[0]), "sk": text(stale[1])}}})
        if geo is not None:
            entries.append({"Put": {"TableName": self._table, "Item": geo.serialize()}})
        return entries
