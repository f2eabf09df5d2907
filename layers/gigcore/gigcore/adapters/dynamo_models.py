"""PynamoDB models of the items in the main table (stored-item models, owned by this layer).

Models are declared unbound and bound once per cold start by :func:`bind` (table name, endpoint, region
come from settings through the composition root), so importing this module reads no environment.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from gigcore.adapters.aws import raw_answers, unparsed_answers
from gigcore.domain.clock import to_rfc3339, utc_now
from gigcore.ports import OutboxEvent

EVENT_TTL_SECONDS = 7 * 24 * 3600


class _Item(Model):
    class Meta:
        table_name = "unbound"
        region = "us-east-1"
        host: str | None = None
        max_retry_attempts = 3
        connect_timeout_seconds = 3
        read_timeout_seconds = 10

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AdminUsersIndex(GlobalSecondaryIndex["UserItem"]):  # type: ignore[no-untyped-call]
    """gsi1 on users, sparse: the admins (``gsi1pk = ROLE#admin``, ``gsi1sk = USER#<id>``)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class UserItem(_Item):
    """``pk = USER#<id>``, ``sk = PROFILE``."""

    kind = UnicodeAttribute(default="user")
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    email_norm = UnicodeAttribute()
    name = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute)
    password_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    phone_verified = BooleanAttribute(default=False)
    identity_verified = BooleanAttribute(default=False)
    freelancer_profile = JSONAttribute(null=True)
    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    session_generation = NumberAttribute(default=0)
    #: Where the freelancer's geo index entry is (absent when not indexed): removed or moved on save.
    geo_pk = UnicodeAttribute(null=True)
    geo_sk = UnicodeAttribute(null=True)
    #: gsi1, sparse: set on admins only (``ROLE#admin`` / ``USER#<id>``), so that they can be found and told.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    admins_index = AdminUsersIndex()
    version = VersionAttribute()


class EmailItem(_Item):
    """``pk = EMAIL#<normalised email>``, ``sk = EMAIL``: makes emails unique."""

    kind = UnicodeAttribute(default="email")
    user_id = UnicodeAttribute()


class EventItem(_Item):
    """An outbox event (``pk = EVENT#<id>``, ``sk = EVENT``); same layout as ``dynamo_outbox.event_item``."""

    kind = UnicodeAttribute(default="event")
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    queue = UnicodeAttribute()
    payload = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    @classmethod
    def of(cls, event: OutboxEvent) -> EventItem:
        """The item recording ``event``; save it in a ``TransactWrite`` with the state change, with
        ``condition=EventItem.pk.does_not_exist()``."""
        return cls(
            pk=f"EVENT#{event.id}",
            sk="EVENT",
            event_id=event.id,
            event_type=event.type,
            queue=event.queue,
            payload=json.dumps(dict(event.payload), separators=(",", ":"), default=str),
            occurred_at=to_rfc3339(utc_now()),
            expires_at=int(time.time()) + EVENT_TTL_SECONDS,
        )


class OwnerGigsIndex(GlobalSecondaryIndex["GigItem"]):  # type: ignore[no-untyped-call]
    """gsi1: a client's gigs, newest first (``gsi1pk = OWNER#<user_id>``, ``gsi1sk = GIG#<created_at>#<id>``)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class OwnerStatusGigsIndex(GlobalSecondaryIndex["GigItem"]):  # type: ignore[no-untyped-call]
    """gsi2: a client's gigs of one status (``gsi2pk = OWNER#<user_id>#<status>``, ``gsi2sk`` as gsi1sk)."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class GigItem(_Item):
    """``pk = GIG#<id>``, ``sk = GIG``."""

    kind = UnicodeAttribute(default="gig")
    id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    category = UnicodeAttribute()
    skills = ListAttribute(of=UnicodeAttribute, default=list)
    budget_min = NumberAttribute()
    budget_max = NumberAttribute()
    currency = UnicodeAttribute()
    budget_type = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)
    remote = BooleanAttribute(default=False)
    urgency = UnicodeAttribute()
    deadline = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    application_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    #: Where the gig's geo index entry is (absent when not indexed): removed or moved on save.
    geo_pk = UnicodeAttribute(null=True)
    geo_sk = UnicodeAttribute(null=True)
    version = VersionAttribute()

    owner_index = OwnerGigsIndex()
    owner_status_index = OwnerStatusGigsIndex()


class GeoItem(_Item):
    """A geo index entry: ``pk = GEO#<index>#<partition>``, ``sk = <geohash12>#<id>`` (see docs/geo.md).

    Short attribute names: a page reads many of these, and DynamoDB bills by the byte. The declaration of the
    layout only: the adapters write and read these items through the low-level client
    (``gigcore.adapters.dynamo_geo.geo_item``, ``entry_of``), byte for byte what this model wrote.
    """

    lat = NumberAttribute(attr_name="la")
    lng = NumberAttribute(attr_name="ln")
    category = UnicodeAttribute(null=True, attr_name="c")
    skills = ListAttribute(of=UnicodeAttribute, null=True, attr_name="s")
    amount_min = NumberAttribute(null=True, attr_name="lo")
    amount_max = NumberAttribute(null=True, attr_name="hi")
    currency = UnicodeAttribute(null=True, attr_name="cu")
    availability = UnicodeAttribute(null=True, attr_name="av")
    reach_km = NumberAttribute(null=True, attr_name="r")
    #: the table's TTL attribute: a gig's deadline (epoch seconds), after which DynamoDB deletes the entry
    expires_at = NumberAttribute(null=True)


class GeoLayoutItem(_Item):
    """``pk = GEO#LAYOUT``, ``sk = <index>``: the partition layout and density histogram of one geo index, and
    while a move runs (``phase`` reading or moving) the layout it moves to (``target_*``); written only by
    the layout job (gigcore.services.geo_layout), each write conditional on ``revision``."""

    splits = ListAttribute(of=UnicodeAttribute, default=list)
    histogram = JSONAttribute(null=True)
    version = NumberAttribute(default=0)
    phase = UnicodeAttribute(default="stable")
    since = NumberAttribute(default=0)
    revision = NumberAttribute(default=0)
    target_splits = ListAttribute(of=UnicodeAttribute, null=True)
    target_histogram = JSONAttribute(null=True)
    target_version = NumberAttribute(null=True)


class GeoMoveItem(_Item):
    """``pk = GEO#LAYOUT``, ``sk = <index>#move``: the checkpoint of a running move (old partitions still to
    sweep, the last key handled in the first of them, what was moved and what it cost)."""

    version = NumberAttribute()
    remaining = ListAttribute(of=UnicodeAttribute, default=list)
    after = UnicodeAttribute(null=True)
    moved = NumberAttribute(default=0)
    capacity = NumberAttribute(default=0)
    revision = NumberAttribute(default=0)


MODELS: tuple[type[_Item], ...] = (UserItem, EmailItem, EventItem, GigItem, GeoItem, GeoLayoutItem, GeoMoveItem)


def bind(table_name: str, host: str | None, region: str) -> None:
    """Point every model at the table (and at DynamoDB Local when ``host`` is set)."""
    for model in MODELS:
        meta: Any = model.Meta
        meta.table_name = table_name
        meta.host = host
        meta.region = region
        model._connection = None


_M = TypeVar("_M", bound=_Item)


_BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


def batch_read_raw(model: type[_Item], keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The items of ``keys`` (``(pk, sk)``) that exist, as DynamoDB's attribute maps
    (``{"name": {"S": "..."}}``), in BatchGetItem calls whose answers skip botocore's parser (for models with no
    binary attribute). Where a page's items are turned into domain objects at once, this skips the model's
    instantiation too. PynamoDB's errors (GetError, PynamoDBConnectionError) pass through."""
    connection = model._get_connection()
    raw_answers(connection.connection.client, "BatchGetItem")
    table = connection.table_name
    pending = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in dict.fromkeys(keys)]
    found: list[dict[str, Any]] = []
    with unparsed_answers():
        while pending:
            page, pending = pending[:_BATCH_GET_LIMIT], pending[_BATCH_GET_LIMIT:]
            while page:
                data = connection.batch_get_item(page)  # type: ignore[arg-type]
                found.extend(data["Responses"].get(table, ()))
                page = (data.get("UnprocessedKeys") or {}).get(table, {}).get("Keys") or []
    return found


def batch_read(model: type[_M], keys: Sequence[tuple[str, str]]) -> list[_M]:
    """:func:`batch_read_raw`'s items as models."""
    return [model.from_raw_data(data) for data in batch_read_raw(model, keys)]
