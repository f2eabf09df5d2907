"""The caller's own account, freelancer profiles and public profiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gigcore.cache import TtlLruCache
from gigcore.domain.errors import ForbiddenError, NotFoundError
from gigcore.domain.ids import new_id
from gigcore.domain.users import AccountChanges, FreelancerProfile, Principal, User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.services.retry import retry_on_conflict

_SAVE_ATTEMPTS = 3
FREELANCER_CHANGED = "freelancer.changed"
SEARCH_QUEUE = "search-indexing"


def freelancer_search_event(user: User) -> OutboxEvent:
    """What search indexing needs of a (stored) user: whether they are listed, and their profile."""
    profile = user.freelancer_profile
    listed = profile is not None and user.has_role("freelancer") and profile.availability != "unavailable"
    payload: dict[str, Any] = {"user_id": user.id, "version": user.version, "listed": listed}
    if profile is not None and listed:
        payload["profile"] = {
            "headline": profile.headline, "bio": profile.bio, "skills": [s.name for s in profile.skills],
            "lat": profile.location.lat, "lng": profile.location.lng, "hourly_rate": profile.hourly_rate_amount,
            "currency": profile.hourly_rate_currency, "availability": profile.availability,
            "rating": round(user.rating_sum / user.rating_count, 4) if user.rating_count else 0.0}
    return OutboxEvent(id=new_id(), type=FREELANCER_CHANGED, queue=SEARCH_QUEUE, payload=payload)


def get_user(user_id: str, *, users: UserRepository) -> User:
    user = users.get(user_id)
    if user is None:
        raise NotFoundError("The user does not exist.")
    return user


def get_public_profile(user_id: str, *, users: UserRepository, cache: TtlLruCache[str, User] | None = None) -> User:
    """The user behind a public profile; with ``cache``, a copy up to its TTL old may answer."""
    user = cache.get_or_load(user_id, users.get) if cache is not None else users.get(user_id)
    if user is None:
        raise NotFoundError("The user does not exist.")
    return user


def _update(user_id: str, users: UserRepository, change: Callable[[User], User],
            cache: TtlLruCache[str, User] | None = None) -> User:
    """Read, change and write with optimistic locking; a concurrent writer makes it try again.

    This process's cached public profile is forgotten whatever happens (others hear of it from the stream)."""

    def attempt() -> User:
        current = get_user(user_id, users=users)
        updated = change(current)
        # A freelancer's listing is searchable: the change reaches the index through the outbox.
        searchable = current.freelancer_profile is not None or updated.freelancer_profile is not None
        events = [freelancer_search_event(updated.changed(version=current.version + 1))] if searchable else []
        return users.save(updated, events)

    try:
        return retry_on_conflict(attempt, attempts=_SAVE_ATTEMPTS)
    finally:
        if cache is not None:
            cache.invalidate(user_id)


def update_me(principal: Principal, changes: AccountChanges, *, users: UserRepository,
              cache: TtlLruCache[str, User] | None = None) -> User:
    """Change the caller's own account (the fields named in ``changes.given``). Admin survives a change of roles."""
    given = changes.given

    def change(user: User) -> User:
        updated = user
        if "name" in given and changes.name is not None:
            updated = updated.changed(name=changes.name)
        if "phone" in given:
            updated = updated.changed(phone=changes.phone, phone_verified=False if changes.phone != user.phone
                                      else user.phone_verified)
        if "location" in given:
            updated = updated.changed(location=changes.location)
        if "roles" in given and changes.roles is not None:
            # Admin is granted out of band and survives a self-service change of roles.
            kept = ("admin",) if user.has_role("admin") else ()
            updated = updated.changed(roles=tuple(changes.roles) + kept)
        return updated

    return _update(principal.user_id, users, change, cache)


def put_freelancer_profile(principal: Principal, profile: FreelancerProfile, *,
                           users: UserRepository, cache: TtlLruCache[str, User] | None = None) -> User:
    """Replace the caller's freelancer profile. Only freelancers have one (403 otherwise)."""
    if not principal.has_role("freelancer"):
        raise ForbiddenError("Only freelancers have a freelancer profile.")

    def change(user: User) -> User:
        if not user.has_role("freelancer"):
            raise ForbiddenError("Only freelancers have a freelancer profile.")
        return user.changed(freelancer_profile=profile)

    return _update(principal.user_id, users, change, cache)
