"""The caller's own account, freelancer profiles and public profiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gigcore.domain.errors import ConflictError, ForbiddenError, NotFoundError
from gigcore.domain.ids import new_id
from gigcore.domain.users import FreelancerProfile, Location, Principal, Skill, User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged, nobody_listens
from gigcore.ports.reads import Reads
from gigcore.schemas.users import FreelancerProfileRequest, PatchMeRequest

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


def get_public_profile(user_id: str, *, users: Reads[str, User]) -> User:
    """The user behind a public profile (``users`` may be a read cache's: a copy up to its TTL old)."""
    user = users.get(user_id)
    if user is None:
        raise NotFoundError("The user does not exist.")
    return user


def _update(user_id: str, users: UserRepository, change: Callable[[User], User], changed: ChangeListener) -> User:
    """Read, change and write with optimistic locking; a concurrent writer makes it try again.

    ``changed`` hears of the user whatever happens (a refused write may have met a change made elsewhere)."""
    try:
        return _update_once(user_id, users, change)
    finally:
        changed(EntityChanged("user", user_id))


def _update_once(user_id: str, users: UserRepository, change: Callable[[User], User]) -> User:
    for attempt in range(_SAVE_ATTEMPTS):
        current = get_user(user_id, users=users)
        try:
            updated = change(current)
            # A freelancer's listing is searchable: the change reaches the index through the outbox.
            searchable = current.freelancer_profile is not None or updated.freelancer_profile is not None
            events = [freelancer_search_event(updated.changed(version=current.version + 1))] if searchable else []
            return users.save(updated, events)
        except ConflictError:
            if attempt == _SAVE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def update_me(principal: Principal, cmd: PatchMeRequest, *, users: UserRepository,
              changed: ChangeListener = nobody_listens) -> User:
    fields = cmd.model_fields_set

    def change(user: User) -> User:
        updated = user
        if "name" in fields and cmd.name is not None:
            updated = updated.changed(name=cmd.name)
        if "phone" in fields:
            updated = updated.changed(phone=cmd.phone, phone_verified=False if cmd.phone != user.phone
                                      else user.phone_verified)
        if "location" in fields:
            updated = updated.changed(location=Location(cmd.location.lat, cmd.location.lng) if cmd.location
                                      else None)
        if "roles" in fields and cmd.roles is not None:
            # Admin is granted out of band and survives a self-service change of roles.
            kept = ("admin",) if user.has_role("admin") else ()
            updated = updated.changed(roles=tuple(cmd.roles) + kept)
        return updated

    return _update(principal.user_id, users, change, changed)


def put_freelancer_profile(principal: Principal, cmd: FreelancerProfileRequest, *,
                           users: UserRepository, changed: ChangeListener = nobody_listens) -> User:
    """Replace the caller's freelancer profile. Only freelancers have one (403 otherwise)."""
    if not principal.has_role("freelancer"):
        raise ForbiddenError("Only freelancers have a freelancer profile.")
    profile = FreelancerProfile(
        headline=cmd.headline,
        bio=cmd.bio,
        skills=tuple(Skill(name=s.name, level=s.level) for s in cmd.skills),
        hourly_rate_amount=cmd.hourly_rate.amount,
        hourly_rate_currency=cmd.hourly_rate.currency,
        availability=cmd.availability,
        location=Location(cmd.location.lat, cmd.location.lng),
        service_radius_km=cmd.service_radius_km,
        portfolio_urls=tuple(cmd.portfolio_urls),
    )

    def change(user: User) -> User:
        if not user.has_role("freelancer"):
            raise ForbiddenError("Only freelancers have a freelancer profile.")
        return user.changed(freelancer_profile=profile)

    return _update(principal.user_id, users, change, changed)
