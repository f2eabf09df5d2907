"""The contracts of the token stores (``RefreshTokenStore``, ``OneTimeTokenStore``): one set of tests each, run
against the DynamoDB stores (on DynamoDB Local) and the in-memory fakes (issue 17 item 1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from gigcore.domain.users import User
from gigcore.ports.auth import OneTimeTokenStore, RefreshRecord, RefreshTokenStore, UserRepository
from tests.fakes import FakeOneTimeTokens, FakeRefreshTokens, FakeUsers

pytestmark = pytest.mark.integration

NOW = 1_800_000_000


@dataclass
class Stores:
    refresh: RefreshTokenStore
    one_time: OneTimeTokenStore
    users: UserRepository


@pytest.fixture(params=["dynamodb", "fake"])
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    if request.param == "fake":
        users = FakeUsers()
        yield Stores(FakeRefreshTokens(users), FakeOneTimeTokens(), users)
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    container: Any = bootstrap.container()
    yield Stores(container.refresh_tokens, container.one_time_tokens, container.users)


def record(user_id: str = "U1", *, family: str | None = None, generation: int = 0) -> RefreshRecord:
    return RefreshRecord(token_hash=uuid.uuid4().hex, user_id=user_id, family_id=family or uuid.uuid4().hex,
                         generation=generation, spent=False, expires_at=NOW + 3600)


def a_user(stores: Stores) -> User:
    user = User(id=f"U{uuid.uuid4().hex[:24].upper()}", email=f"t-{uuid.uuid4().hex[:10]}@example.com", name="T",
                roles=("client",), password_hash="h", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    stores.users.add(user)
    stored = stores.users.get(user.id)
    assert stored is not None
    return stored


def test_a_refresh_token_reads_back_as_stored(stores):
    token = record()
    stores.refresh.put(token)
    assert stores.refresh.get(token.token_hash) == token
    assert stores.refresh.get(uuid.uuid4().hex) is None


def test_rotation_spends_the_old_token_once(stores):
    old = record()
    stores.refresh.put(old)
    first, second = record(family=old.family_id), record(family=old.family_id)
    assert stores.refresh.rotate(old.token_hash, first) is True
    spent = stores.refresh.get(old.token_hash)
    assert spent is not None and spent.spent
    assert stores.refresh.get(first.token_hash) == first
    # The same token again (a stolen copy, or a race): refused, and nothing new is stored.
    assert stores.refresh.rotate(old.token_hash, second) is False
    assert stores.refresh.get(second.token_hash) is None


def test_rotating_a_token_that_was_never_stored_is_refused(stores):
    new = record()
    assert stores.refresh.rotate(uuid.uuid4().hex, new) is False
    assert stores.refresh.get(new.token_hash) is None


def test_a_revoked_family_closes_its_sessions_only(stores):
    user = a_user(stores)
    mine, other = record(user.id), record(user.id)
    stores.refresh.revoke_family(mine.family_id)
    assert stores.refresh.family_revoked(mine.family_id) is True
    assert stores.refresh.family_revoked(other.family_id) is False
    assert stores.refresh.session_open(user.id, mine.family_id, 0) is False
    assert stores.refresh.session_open(user.id, other.family_id, 0) is True
    assert stores.refresh.session_open(user.id, None, 0) is True


def test_a_new_session_generation_closes_the_older_sessions(stores):
    user = a_user(stores)
    stores.users.save(user.changed(session_generation=1))
    assert stores.refresh.session_open(user.id, None, 0) is False
    assert stores.refresh.session_open(user.id, None, 1) is True


def test_the_session_of_a_user_that_does_not_exist_is_closed(stores):
    assert stores.refresh.session_open("U-NOBODY", None, 0) is False


def test_a_one_time_token_works_once(stores):
    token = uuid.uuid4().hex
    stores.one_time.put("verify", token, "U1", NOW + 60)
    used = stores.one_time.consume("verify", token, NOW)
    assert used is not None and (used.user_id, used.expires_at) == ("U1", NOW + 60)
    assert stores.one_time.consume("verify", token, NOW) is None


def test_a_one_time_token_is_scoped_to_its_purpose(stores):
    token = uuid.uuid4().hex
    stores.one_time.put("verify", token, "U1", NOW + 60)
    assert stores.one_time.consume("reset", token, NOW) is None
    assert stores.one_time.consume("verify", token, NOW) is not None


def test_an_expired_one_time_token_is_refused_but_not_spent(stores):
    token = uuid.uuid4().hex
    stores.one_time.put("reset", token, "U1", NOW + 60)
    assert stores.one_time.consume("reset", token, NOW + 60) is None
    # Refused at that moment only: nothing was deleted (a clock behind another is not a use).
    assert stores.one_time.consume("reset", token, NOW + 59) is not None


def test_a_token_given_back_works_again(stores):
    token = uuid.uuid4().hex
    stores.one_time.put("verify", token, "U1", NOW + 60)
    used = stores.one_time.consume("verify", token, NOW)
    assert used is not None
    stores.one_time.put("verify", token, used.user_id, used.expires_at)
    assert stores.one_time.consume("verify", token, NOW) == used
