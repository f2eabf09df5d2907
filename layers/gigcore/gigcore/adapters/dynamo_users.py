"""PynamoDB adapter of :class:`gigcore.ports.auth.UserRepository`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import (
    DoesNotExist,
    GetError,
    PutError,
    PynamoDBConnectionError,
    QueryError,
    TransactWriteError,
)
from pynamodb.transactions import TransactWrite

from gigcore.adapters.dynamo_geo import FREELANCER_INDEX, DynamoGeoLayouts, geo_move
from gigcore.adapters.dynamo_models import EmailItem, EventItem, GeoItem, UserItem, batch_read
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import ConflictError, RetryableError, UpstreamUnavailableError
from gigcore.domain.geo import freelancer_entry
from gigcore.domain.users import FreelancerProfile, Location, Skill, User, normalise_email
from gigcore.ports import OutboxEvent

ADMIN_ROLE = "admin"
#: gsi1 key of the admins (sparse: only users with the admin role carry it).
ADMINS_PK = "ROLE#admin"


def _cause(exc: PynamoDBConnectionError | TransactWriteError) -> str:
    return str(getattr(exc, "cause_response_code", "") or "")


def _outage(exc: PynamoDBConnectionError | TransactWriteError) -> Exception:
    if _cause(exc) in {"ThrottlingException", "ProvisionedThroughputExceededException"}:
        return RetryableError("DynamoDB is throttling requests; try again shortly.")
    return UpstreamUnavailableError("DynamoDB is unavailable.")


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


def to_item(user: User) -> UserItem:
    item = UserItem(
        pk=f"USER#{user.id}",
        sk="PROFILE",
        id=user.id,
        email=user.email,
        email_norm=normalise_email(user.email),
        name=user.name,
        roles=list(user.roles),
        password_hash=user.password_hash,
        created_at=to_rfc3339(user.created_at),
        phone=user.phone,
        lat=user.location.lat if user.location else None,
        lng=user.location.lng if user.location else None,
        email_verified=user.email_verified,
        phone_verified=user.phone_verified,
        identity_verified=user.identity_verified,
        freelancer_profile=_profile_to_json(user.freelancer_profile),
        rating_sum=user.rating_sum,
        rating_count=user.rating_count,
        session_generation=user.session_generation,
    )
    if ADMIN_ROLE in user.roles:
        item.gsi1pk, item.gsi1sk = ADMINS_PK, f"USER#{user.id}"
    if user.version:
        item.version = user.version
    return item


def from_item(item: UserItem) -> User:
    location = Location(float(item.lat), float(item.lng)) if item.lat is not None and item.lng is not None else None
    return User(
        id=item.id,
        email=item.email,
        name=item.name,
        roles=tuple(str(role) for role in item.roles),
        password_hash=item.password_hash,
        created_at=parse_rfc3339(item.created_at),
        phone=item.phone,
        location=location,
        email_verified=bool(item.email_verified),
        phone_verified=bool(item.phone_verified),
        identity_verified=bool(item.identity_verified),
        freelancer_profile=_profile_from_json(item.freelancer_profile),
        rating_sum=int(item.rating_sum or 0),
        rating_count=int(item.rating_count or 0),
        session_generation=int(item.session_generation or 0),
        version=int(item.version or 0),
    )


class DynamoUserRepository:
    """Users; with ``layouts``, a freelancer's entry in the freelancer geo index is kept in step with their
    profile in the same transaction as the user item (indexed while available or busy)."""

    def __init__(self, connection: Connection, layouts: DynamoGeoLayouts | None = None,
                 index: str = FREELANCER_INDEX) -> None:
        self._connection = connection
        self._layouts = layouts
        #: The geo index the entries go to (tests give each example an index of its own).
        self._index = index

    def add(self, user: User) -> None:
        item = to_item(user)
        email = EmailItem(pk=f"EMAIL#{normalise_email(user.email)}", sk="EMAIL", user_id=user.id)
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(item, condition=UserItem.pk.does_not_exist())
                tx.save(email, condition=EmailItem.pk.does_not_exist())
        except TransactWriteError as exc:
            reasons = getattr(exc, "cancellation_reasons", None) or []
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
                raise ConflictError("An account with this email already exists.") from exc
            raise _outage(exc) from exc

    def get(self, user_id: str) -> User | None:
        try:
            return from_item(UserItem.get(f"USER#{user_id}", "PROFILE", consistent_read=True))
        except DoesNotExist:
            return None
        except GetError as exc:
            raise _outage(exc) from exc

    def get_many(self, user_ids: Sequence[str]) -> dict[str, User]:
        if not user_ids:
            return {}
        try:
            return {item.id: from_item(item)
                    for item in batch_read(UserItem, [(f"USER#{uid}", "PROFILE") for uid in user_ids])}
        except (GetError, PynamoDBConnectionError) as exc:
            raise _outage(exc) from exc

    def admins(self, *, limit: int) -> list[User]:
        """P: gsi1 ``ROLE#admin`` (sparse: only admins carry it); eventually consistent, so a just-granted admin
        may be missed for a moment."""
        try:
            return [from_item(item) for item in UserItem.admins_index.query(ADMINS_PK, limit=limit)]
        except (QueryError, PynamoDBConnectionError) as exc:
            raise _outage(exc) from exc

    def by_email(self, email: str) -> User | None:
        try:
            link = EmailItem.get(f"EMAIL#{normalise_email(email)}", "EMAIL", consistent_read=True)
        except DoesNotExist:
            return None
        except GetError as exc:
            raise _outage(exc) from exc
        return self.get(link.user_id)

    def save(self, user: User, events: Sequence[OutboxEvent] = ()) -> User:
        item = to_item(user)
        if self._layouts is None and not events:
            try:
                item.save(condition=UserItem.pk.exists())
            except PutError as exc:
                if _cause(exc) == "ConditionalCheckFailedException":
                    raise ConflictError("The account was changed by another request; try again.") from exc
                raise _outage(exc) from exc
            return from_item(item)
        try:
            stored = UserItem.get(f"USER#{user.id}", "PROFILE", consistent_read=True,
                                  attributes_to_get=["geo_pk", "geo_sk", "version"])
        except DoesNotExist as exc:
            raise ConflictError("The account no longer exists.") from exc
        except GetError as exc:
            raise _outage(exc) from exc
        index, stale = (None, None) if self._layouts is None else geo_move(
            self._index, self._layouts.for_writes(self._index), freelancer_entry(user), stored.geo_pk, stored.geo_sk)
        if index is not None:
            item.geo_pk, item.geo_sk = index.pk, index.sk
        try:
            with TransactWrite(connection=self._connection) as tx:
                # The version condition (PynamoDB's) keeps the geo key read above current.
                tx.save(item, condition=UserItem.pk.exists())
                if stale is not None:
                    tx.delete(GeoItem(pk=stale[0], sk=stale[1]))
                if index is not None:
                    tx.save(index)
                for event in events:
                    tx.save(EventItem.of(event), condition=EventItem.pk.does_not_exist())
        except TransactWriteError as exc:
            reasons = getattr(exc, "cancellation_reasons", None) or []
            if any(r is not None and r.code in ("ConditionalCheckFailed", "TransactionConflict") for r in reasons):
                raise ConflictError("The account was changed by another request; try again.") from exc
            raise _outage(exc) from exc
        return from_item(item)
