"""The account and profile use cases on fakes: what the caller gets back and what search indexing is told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigcore.cache import TtlLruCache
from gigcore.domain.errors import ConflictError, ForbiddenError, NotFoundError
from gigcore.domain.users import AccountChanges, FreelancerProfile, Location, Principal, Skill, User
from gigcore.services import users
from tests.fakes import FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROFILE = FreelancerProfile(headline="Plumber", bio="Leaks fixed", skills=(Skill("plumbing", "expert"),),
                            hourly_rate_amount=4000, hourly_rate_currency="EUR", availability="available",
                            location=Location(48.85, 2.35), service_radius_km=15.0)


def someone(repo: FakeUsers, *roles: str, phone: str | None = None) -> User:
    user = User(id=f"U{len(repo.by_id)}", email=f"u{len(repo.by_id)}@example.com", name="Ada",
                roles=roles or ("client",), password_hash="h", created_at=NOW, phone=phone, phone_verified=True)
    repo.add(user)
    return user


def me(user: User) -> Principal:
    return Principal(user_id=user.id, roles=user.roles)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_user_that_does_not_exist_is_not_found():
    with pytest.raises(NotFoundError):
        users.get_user("U-NOBODY", users=FakeUsers())
    with pytest.raises(NotFoundError):
        users.get_public_profile("U-NOBODY", users=FakeUsers())


def test_only_the_named_fields_change():
    repo = FakeUsers()
    ada = someone(repo, "client", phone="+33600000000")
    updated = users.update_me(me(ada), AccountChanges(given=frozenset({"name"}), name="Grace"), users=repo)
    assert (updated.name, updated.phone, updated.phone_verified) == ("Grace", "+33600000000", True)
    assert repo.get(ada.id) == updated and updated.version == 2


def test_a_new_phone_must_be_verified_again_and_a_null_removes_it():
    repo = FakeUsers()
    ada = someone(repo, phone="+33600000000")
    changed = users.update_me(me(ada), AccountChanges(given=frozenset({"phone"}), phone="+33611111111"), users=repo)
    assert (changed.phone, changed.phone_verified) == ("+33611111111", False)
    removed = users.update_me(me(ada), AccountChanges(given=frozenset({"phone", "location"})), users=repo)
    assert (removed.phone, removed.location) == (None, None)


def test_admin_survives_a_change_of_roles():
    repo = FakeUsers()
    admin = someone(repo, "client", "admin")
    updated = users.update_me(me(admin), AccountChanges(given=frozenset({"roles"}), roles=("freelancer",)),
                              users=repo)
    assert updated.roles == ("freelancer", "admin")


def test_a_client_account_change_tells_search_nothing():
    repo = FakeUsers()
    ada = someone(repo)
    users.update_me(me(ada), AccountChanges(given=frozenset({"name"}), name="Grace"), users=repo)
    assert repo.events == []


def test_a_freelancer_profile_is_set_and_listed_for_search():
    repo = FakeUsers()
    ada = someone(repo, "freelancer")
    updated = users.put_freelancer_profile(me(ada), PROFILE, users=repo)
    assert updated.freelancer_profile == PROFILE
    [event] = repo.events
    assert (event.type, event.queue) == (users.FREELANCER_CHANGED, users.SEARCH_QUEUE)
    assert event.payload["user_id"] == ada.id and event.payload["version"] == updated.version
    assert event.payload["listed"] is True and event.payload["profile"]["skills"] == ["plumbing"]


def test_an_unavailable_freelancer_leaves_search():
    repo = FakeUsers()
    ada = someone(repo, "freelancer")
    users.put_freelancer_profile(me(ada), PROFILE, users=repo)
    away = FreelancerProfile(**{**PROFILE.__dict__, "availability": "unavailable"})
    users.put_freelancer_profile(me(ada), away, users=repo)
    assert repo.events[-1].payload["listed"] is False and "profile" not in repo.events[-1].payload


def test_a_client_has_no_freelancer_profile():
    repo = FakeUsers()
    ada = someone(repo, "client")
    with pytest.raises(ForbiddenError):
        users.put_freelancer_profile(me(ada), PROFILE, users=repo)
    # The token said freelancer, the account no longer does (roles changed since): refused all the same.
    with pytest.raises(ForbiddenError):
        users.put_freelancer_profile(Principal(ada.id, ("freelancer",)), PROFILE, users=repo)
    assert repo.get(ada.id) == ada.changed(version=1)


class RacingUsers(FakeUsers):
    """Another request changes the user between this one's read and write, ``races`` times."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races

    def save(self, user, events=()):
        if self.races:
            self.races -= 1
            current = self.by_id[user.id]
            self.by_id[user.id] = current.changed(version=current.version + 1, phone="+33699999999")
        return super().save(user, events)


def test_a_lost_race_is_tried_again_on_what_the_other_wrote():
    repo = RacingUsers(races=2)
    ada = someone(repo)
    updated = users.update_me(me(ada), AccountChanges(given=frozenset({"name"}), name="Grace"), users=repo)
    assert (updated.name, updated.phone) == ("Grace", "+33699999999")


def test_a_user_that_keeps_changing_is_a_conflict():
    repo = RacingUsers(races=10)
    ada = someone(repo)
    with pytest.raises(ConflictError):
        users.update_me(me(ada), AccountChanges(given=frozenset({"name"}), name="Grace"), users=repo)


def test_a_public_profile_may_come_from_the_cache_and_a_change_forgets_it():
    repo = FakeUsers()
    ada = someone(repo)
    cache: TtlLruCache[str, User] = TtlLruCache("test-users", max_entries=10, ttl_seconds=60, clock=Clock())
    assert users.get_public_profile(ada.id, users=repo, cache=cache).name == "Ada"
    repo.by_id[ada.id] = repo.by_id[ada.id].changed(name="Changed elsewhere")
    assert users.get_public_profile(ada.id, users=repo, cache=cache).name == "Ada"  # the cached copy
    users.update_me(me(ada), AccountChanges(given=frozenset({"name"}), name="Grace"), users=repo, cache=cache)
    assert users.get_public_profile(ada.id, users=repo, cache=cache).name == "Grace"
