"""The ``UserRepository`` contract: one set of tests, run against the DynamoDB repository (on DynamoDB Local)
and against the in-memory fake the service unit tests use (issue 17 item 1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gigcore.domain.errors import ConflictError
from gigcore.domain.users import FreelancerProfile, Location, Skill, User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from tests.fakes import FakeUsers

pytestmark = pytest.mark.integration


@pytest.fixture(params=["dynamodb", "fake"])
def users(request: pytest.FixtureRequest) -> Iterator[UserRepository]:
    if request.param == "fake":
        yield FakeUsers()
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    yield bootstrap.container().users


def a_user(*, roles: tuple[str, ...] = ("client",), email: str | None = None, id: str | None = None) -> User:
    return User(id=id or f"U{uuid.uuid4().hex[:24].upper()}", email=email or f"u-{uuid.uuid4().hex[:10]}@example.com",
                name="Ada", roles=roles, password_hash="h", created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_new_user_reads_back_with_version_one(users):
    user = a_user()
    users.add(user)
    stored = users.get(user.id)
    assert stored is not None and stored.version == 1
    assert (stored.email, stored.name, stored.roles) == (user.email, "Ada", ("client",))
    assert users.get("U-NOBODY") is None


def test_an_email_is_taken_whatever_its_case(users):
    user = a_user()
    users.add(user)
    with pytest.raises(ConflictError):
        users.add(a_user(email=user.email.upper()))
    found = users.by_email(user.email.upper())
    assert found is not None and found.id == user.id
    assert users.by_email("nobody-" + user.email) is None


def test_a_second_account_with_the_same_id_is_refused(users):
    user = a_user()
    users.add(user)
    with pytest.raises(ConflictError):
        users.add(a_user(id=user.id))


def test_a_save_moves_the_version_on_and_a_stale_copy_is_refused(users):
    user = a_user()
    users.add(user)
    read = users.get(user.id)
    assert read is not None
    saved = users.save(read.changed(name="Grace"))
    assert saved.version == 2 and saved.name == "Grace"
    with pytest.raises(ConflictError):
        users.save(read.changed(name="Stale"))  # read before the save above
    again = users.get(user.id)
    assert again is not None and (again.name, again.version) == ("Grace", 2)


def test_saving_a_user_that_does_not_exist_is_a_conflict(users):
    with pytest.raises(ConflictError):
        users.save(a_user())


def test_a_save_with_events_is_all_or_nothing(users):
    user = a_user(roles=("freelancer",))
    users.add(user)
    read = users.get(user.id)
    assert read is not None
    profile = FreelancerProfile(headline="Plumber", bio="b", skills=(Skill("plumbing", "expert"),),
                                hourly_rate_amount=4000, hourly_rate_currency="EUR", availability="available",
                                location=Location(48.85, 2.35), service_radius_km=10.0, portfolio_urls=())
    event = OutboxEvent(id=uuid.uuid4().hex, type="freelancer.changed", queue="search-indexing",
                        payload={"user_id": user.id})
    saved = users.save(read.changed(freelancer_profile=profile), [event])
    assert saved.freelancer_profile == profile
    # The same event id again: the whole save is refused, the user is left as it was.
    with pytest.raises(ConflictError):
        users.save(saved.changed(name="Twice"), [event])
    after = users.get(user.id)
    assert after is not None and after.name == "Ada" and after.version == 2


def test_get_many_answers_the_users_that_exist(users):
    first, second = a_user(), a_user()
    users.add(first)
    users.add(second)
    found = users.get_many([first.id, "U-NOBODY", second.id])
    assert set(found) == {first.id, second.id} and found[first.id].email == first.email
    assert users.get_many([]) == {}


def test_admins_are_listed_in_id_order_up_to_the_limit(users):
    # Other tests' admins share DynamoDB Local: compare the order of ours only.
    made = [a_user(roles=("client", "admin")) for _ in range(3)]
    for user in made:
        users.add(user)
    users.add(a_user(roles=("client",)))
    listed = [u.id for u in users.admins(limit=1000)]
    ours = [uid for uid in listed if uid in {u.id for u in made}]
    assert ours == sorted(u.id for u in made)
    assert listed == sorted(listed)
    assert len(users.admins(limit=2)) == 2
