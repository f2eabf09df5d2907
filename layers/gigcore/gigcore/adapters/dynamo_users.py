"""DynamoDB adapter of :class:`gigcore.ports.auth.UserRepository` (low-level client calls, docs/architecture.md).

Items (docs/data-model.md): the user ``USER#<id>`` / ``PROFILE``, and ``EMAIL#<normalised email>`` / ``EMAIL``
that makes emails unique, written in the same transaction. Every write of a user is conditional on the
``version`` it read (optimistic locking) and stores ``version + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error, error_code, raw_answers
from gigcore.adapters.dynamo_geo import FREELANCER_INDEX, DynamoGeoLayouts, geo_move
from gigcore.adapters.dynamo_outbox import event_item
from gigcore.adapters.dynamo_table import DynamoTable, TransactionRefused, number, text
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import ConflictError
from gigcore.domain.geo import freelancer_entry
from gigcore.domain.users import FreelancerProfile, Location, Skill, User, normalise_email
from gigcore.ports import OutboxEvent

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

ADMIN_ROLE = "admin"
#: gsi1 key of the admins (sparse: only users with the admin role carry it).
ADMINS_PK = "ROLE#admin"
#: A user write: the item exists and still holds the version read (``:v``).
_SAME_VERSION = "attribute_exists(pk) AND #version = :v"
#: A new user: neither the item nor a version exists.
_NEW = "attribute_not_exists(pk) AND attribute_not_exists(#version)"


def _user_key(user_id: str) -> dict[str, Any]:
    return {"pk": text(f"USER#{user_id}"), "sk": text("PROFILE")}


def _email_key(email: str) -> dict[str, Any]:
    return {"pk": text(f"EMAIL#{normalise_email(email)}"), "sk": text("EMAIL")}


def _profile_to_json(profile: FreelancerProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "headline": profile.headline,
        "bio": profile.bio,
        "skills": [{"name": s.name, "level": s.level} for s in profile.skills],
        "hourly_rate": {"amount": profile.hourly_rate_amount, "currency": profile.hourly_rate_currency},
        "availability": profile.availability,
        "location": {"lat": profile.location.lat, "lng": profile.location.lng},
        "service_radius_km": profile.service_radius_km,
        "portfolio_urls": list(profile.portfolio_urls),
    }


def _profile_from_json(data: dict[str, Any] | None) -> FreelancerProfile | None:
    if not data:
        return None
    return FreelancerProfile(
        headline=data["headline"],
        bio=data["bio"],
        skills=tuple(Skill(name=s["name"], level=s["level"]) for s in data["skills"]),
        hourly_rate_amount=int(data["hourly_rate"]["amount"]),
        hourly_rate_currency=data["hourly_rate"]["currency"],
        availability=data["availability"],
        location=Location(float(data["location"]["lat"]), float(data["location"]["lng"])),
        service_radius_km=float(data["service_radius_km"]),
        portfolio_urls=tuple(data.get("portfolio_urls", [])),
    )


def to_item(user: User, *, version: int | None = None, geo: tuple[str, str] | None = None) -> dict[str, Any]:
    """The user's item as DynamoDB's attribute map, storing ``version`` (``user.version + 1`` unless given: what
    a write stores) and the key of the freelancer's geo index entry (``geo``), when it has one."""
    item: dict[str, Any] = _user_key(user.id) | {
        "kind": text("user"),
        "id": text(user.id),
        "email": text(user.email),
        "email_norm": text(normalise_email(user.email)),
        "name": text(user.name),
        "roles": {"L": [text(role) for role in user.roles]},
        "password_hash": text(user.password_hash),
        "created_at": text(to_rfc3339(user.created_at)),
        "email_verified": {"BOOL": user.email_verified},
        "phone_verified": {"BOOL": user.phone_verified},
        "identity_verified": {"BOOL": user.identity_verified},
        "rating_sum": number(user.rating_sum),
        "rating_count": number(user.rating_count),
        "session_generation": number(user.session_generation),
        "version": number(user.version + 1 if version is None else version),
    }
    if user.phone is not None:
        item["phone"] = text(user.phone)
    if user.location is not None:
        item["lat"], item["lng"] = number(user.location.lat), number(user.location.lng)
    profile = _profile_to_json(user.freelancer_profile)
    if profile is not None:
        item["freelancer_profile"] = text(json.dumps(profile))
    if ADMIN_ROLE in user.roles:
        item["gsi1pk"], item["gsi1sk"] = text(ADMINS_PK), text(f"USER#{user.id}")
    if geo is not None:
        item["geo_pk"], item["geo_sk"] = text(geo[0]), text(geo[1])
    return item


def from_item(item: Mapping[str, Any]) -> User:
    """A user from its item as DynamoDB's attribute map."""

    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None or "S" not in value else str(value["S"])

    def number(name: str) -> float | None:
        value = item.get(name)
        return None if value is None or "N" not in value else float(value["N"])

    def flag(name: str) -> bool:
        return bool(item.get(name, {}).get("BOOL", False))

    lat, lng = number("lat"), number("lng")
    profile = text("freelancer_profile")
    return User(
        id=item["id"]["S"],
        email=item["email"]["S"],
        name=item["name"]["S"],
        roles=tuple(str(role["S"]) for role in item["roles"]["L"]),
        password_hash=item["password_hash"]["S"],
        created_at=parse_rfc3339(item["created_at"]["S"]),
        phone=text("phone"),
        location=Location(lat, lng) if lat is not None and lng is not None else None,
        email_verified=flag("email_verified"),
        phone_verified=flag("phone_verified"),
        identity_verified=flag("identity_verified"),
        freelancer_profile=_profile_from_json(json.loads(profile, strict=False) if profile else None),
        rating_sum=int(number("rating_sum") or 0),
        rating_count=int(number("rating_count") or 0),
        session_generation=int(number("session_generation") or 0),
        version=int(number("version") or 0),
    )


def _version_condition(user: User) -> dict[str, Any]:
    """The condition of a write of ``user`` read at ``user.version`` (0: never stored with a version)."""
    names = {"#version": "version"}
    if user.version:
        return {"ConditionExpression": _SAME_VERSION, "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":v": number(user.version)}}
    return {"ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#version)",
            "ExpressionAttributeNames": names}


class DynamoUserRepository(DynamoTable):
    """Users; with ``layouts``, a freelancer's entry in the freelancer geo index is kept in step with their
    profile in the same transaction as the user item (indexed while available or busy)."""

    def __init__(self, client: DynamoDBClient, table_name: str, layouts: DynamoGeoLayouts | None = None,
                 index: str = FREELANCER_INDEX) -> None:
        super().__init__(client, table_name)
        self._layouts = layouts
        #: The geo index the entries go to (tests give each example an index of its own).
        self._index = index
        raw_answers(client, "BatchGetItem")

    def add(self, user: User) -> None:
        try:
            self.transact([
                {"Put": {"TableName": self._table, "Item": to_item(user, version=1), "ConditionExpression": _NEW,
                         "ExpressionAttributeNames": {"#version": "version"}}},
                {"Put": {"TableName": self._table,
                         "Item": _email_key(user.email) | {"kind": text("email"), "user_id": text(user.id)},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        except TransactionRefused as refused:
            if refused.condition_failed():
                raise ConflictError("An account with this email already exists.") from refused
            raise refused.busy() from refused

    def _get(self, key: dict[str, Any], **options: Any) -> dict[str, Any] | None:
        item = self.get_item(Key=key, ConsistentRead=True, **options)
        return None if item is None else dict(item)

    def get(self, user_id: str) -> User | None:
        item = self._get(_user_key(user_id))
        return None if item is None else from_item(item)

    def get_many(self, user_ids: Sequence[str]) -> dict[str, User]:
        """Eventually consistent (BatchGetItem), in calls of 100 keys whose answers skip botocore's parser (a user
        item holds no binary attribute)."""
        found = self.batch_get([_user_key(uid) for uid in dict.fromkeys(user_ids)])
        users = (from_item(item) for item in found)
        return {user.id: user for user in users}

    def admins(self, *, limit: int) -> list[User]:
        """P: gsi1 ``ROLE#admin`` (sparse: only admins carry it); eventually consistent, so a just-granted admin
        may be missed for a moment."""
        users: list[User] = []
        page: dict[str, Any] = {}
        try:
            while len(users) < limit:
                answer = self._client.query(
                    TableName=self._table, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
                    ExpressionAttributeValues={":pk": text(ADMINS_PK)}, Limit=limit - len(users), **page)
                users += [from_item(item) for item in answer.get("Items", ())]
                if not answer.get("LastEvaluatedKey"):
                    break
                page = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return users

    def by_email(self, email: str) -> User | None:
        link = self._get(_email_key(email))
        return None if link is None else self.get(link["user_id"]["S"])

    def save(self, user: User, events: Sequence[OutboxEvent] = ()) -> User:
        condition = _version_condition(user)
        if self._layouts is None and not events:
            item = to_item(user)
            try:
                self._client.put_item(TableName=self._table, Item=item, **condition)
            except ClientError as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    raise ConflictError("The account was changed by another request; try again.") from exc
                raise as_domain_error(exc, "DynamoDB") from exc
            except BotoCoreError as exc:
                raise as_domain_error(exc, "DynamoDB") from exc
            return from_item(item)
        stored = self._get(_user_key(user.id), ProjectionExpression="pk, geo_pk, geo_sk")
        if stored is None:
            raise ConflictError("The account no longer exists.")
        stored_pk, stored_sk = (stored.get(name, {}).get("S") for name in ("geo_pk", "geo_sk"))
        index, stale = (None, None) if self._layouts is None else geo_move(
            self._index, self._layouts.for_writes(self._index), freelancer_entry(user), stored_pk, stored_sk)
        item = to_item(user, geo=None if index is None else (index.pk, index.sk))
        # The version condition keeps the geo key read above current.
        writes: list[Any] = [{"Put": {"TableName": self._table, "Item": item, **condition}}]
        if stale is not None:
            writes.append({"Delete": {"TableName": self._table, "Key": {"pk": text(stale[0]), "sk": text(stale[1])}}})
        if index is not None:
            writes.append({"Put": {"TableName": self._table, "Item": index.serialize()}})
        writes += [event_item(event, self._table) for event in events]
        try:
            self.transact(writes)
        except TransactionRefused as refused:
            # A changed version or a concurrent transaction on the user: the caller reads again and retries.
            if refused.condition_failed() or "TransactionConflict" in {r.get("Code") for r in refused.reasons}:
                raise ConflictError("The account was changed by another request; try again.") from refused
            raise refused.busy() from refused
        return from_item(item)
