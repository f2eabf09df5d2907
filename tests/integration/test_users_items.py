"""The users adapter reads and writes with the low-level client (docs/architecture.md, "One DynamoDB access
style"): the items it writes are the ones the PynamoDB model declared, and the items written through that model
before the change read back unchanged (issue 17 item 3)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from gigcore.domain.errors import ConflictError
from gigcore.domain.users import FreelancerProfile, Location, Skill, User

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def dynamo(stack_env: dict[str, str]) -> Any:
    from gigcore import bootstrap

    container = bootstrap.container()
    _ = container.pynamodb  # binds the models to the local table
    return container


@pytest.fixture()
def users(dynamo: Any) -> Any:
    from gigcore.adapters.dynamo_users import DynamoUserRepository

    return DynamoUserRepository(dynamo.dynamodb, dynamo.settings.table_name)


def a_user(**changes: Any) -> User:
    user = User(id=f"01JU{uuid.uuid4().hex[:22].upper()}", email=f"{uuid.uuid4().hex}@Example.com", name="Ngozi",
                roles=("freelancer",), password_hash="argon2-hash", created_at=WHEN, phone="+2348012345678",
                location=Location(6.4541, 3.3947), email_verified=True,
                freelancer_profile=FreelancerProfile(
                    headline="Gaffer", bio="Lights", skills=(Skill(name="lighting", level="expert"),),
                    hourly_rate_amount=750000, hourly_rate_currency="NGN", availability="available",
                    location=Location(6.5, 3.4), service_radius_km=12.5, portfolio_urls=("https://example.com/a",)),
                rating_sum=9, rating_count=2, session_generation=1)
    return replace(user, **changes)


def test_a_user_stored_through_the_model_reads_back_unchanged(dynamo: Any, users: Any) -> None:
    from gigcore.adapters.dynamo_models import UserItem

    # Given a user item written through the PynamoDB model, as the adapter wrote them before (version 3)
    user = a_user(roles=("freelancer", "admin"))
    item = UserItem(pk=f"USER#{user.id}", sk="PROFILE", id=user.id, email=user.email, email_norm=user.email.lower(),
                    name=user.name, roles=list(user.roles), password_hash=user.password_hash,
                    created_at="2026-12-01T09:00:00Z", phone=user.phone, lat=6.4541, lng=3.3947,
                    email_verified=True, phone_verified=False, identity_verified=False,
                    freelancer_profile={"headline": "Gaffer", "bio": "Lights",
                                        "skills": [{"name": "lighting", "level": "expert"}],
                                        "hourly_rate": {"amount": 750000, "currency": "NGN"},
                                        "availability": "available", "location": {"lat": 6.5, "lng": 3.4},
                                        "service_radius_km": 12.5, "portfolio_urls": ["https://example.com/a"]},
                    rating_sum=9, rating_count=2, session_generation=1)
    for _ in range(3):
        item.save()
    # When the adapter reads it
    read = users.get(user.id)
    # Then every field is the stored one
    assert read == replace(user, version=3)


def test_a_user_written_by_the_adapter_is_the_item_the_model_declares(dynamo: Any, users: Any) -> None:
    from gigcore.adapters.dynamo_models import UserItem

    # Given a user added and then saved through the adapter
    user = a_user(roles=("freelancer", "admin"))
    users.add(user)
    saved = users.save(replace(users.get(user.id), name="Ngozi A."))
    # Then the model reads the same item, with each version stored once per write
    item = UserItem.get(f"USER#{user.id}", "PROFILE", consistent_read=True)
    assert (item.name, item.email_norm, item.version, saved.version) == ("Ngozi A.", user.email.lower(), 2, 2)
    assert item.freelancer_profile["hourly_rate"] == {"amount": 750000, "currency": "NGN"}
    assert (item.gsi1pk, item.gsi1sk) == ("ROLE#admin", f"USER#{user.id}")
    assert (float(item.lat), float(item.lng), item.kind) == (6.4541, 3.3947, "user")
    # And the admin is found through gsi1, and the email through its uniqueness item
    assert user.id in {u.id for u in users.admins(limit=1000)}
    found = users.by_email(user.email.upper())
    assert found is not None and found.id == user.id


def test_a_save_from_a_stale_read_is_refused_and_changes_nothing(users: Any) -> None:
    # Given a user read twice, and saved from the first read
    user = a_user()
    users.add(user)
    first, second = users.get(user.id), users.get(user.id)
    users.save(replace(first, name="First"))
    # When the second read is saved
    with pytest.raises(ConflictError):
        users.save(replace(second, name="Second"))
    # Then the first save stands
    assert users.get(user.id).name == "First"


def test_a_second_account_with_the_same_email_is_refused(users: Any) -> None:
    user = a_user()
    users.add(user)
    with pytest.raises(ConflictError, match="already exists"):
        users.add(a_user(email=user.email.upper()))


def test_many_users_are_read_in_one_call_per_hundred(users: Any) -> None:
    added = [a_user() for _ in range(3)]
    for user in added:
        users.add(user)
    assert set(users.get_many([u.id for u in added] + ["01JUNOSUCHUSER0000000000000"])) == {u.id for u in added}
