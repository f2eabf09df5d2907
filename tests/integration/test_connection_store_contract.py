"""The ``ConnectionStore`` contract, run against the DynamoDB store (on DynamoDB Local) and the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gigcore.domain.chat import Connection
from gigcore.ports.chat import ConnectionStore
from tests.fake_chat import FakeConnectionStore

pytestmark = pytest.mark.integration

T = 1_800_000_000


@pytest.fixture(params=["dynamodb", "fake"])
def connections(request: pytest.FixtureRequest) -> Iterator[ConnectionStore]:
    if request.param == "fake":
        yield FakeConnectionStore()
        return
    settings = request.getfixturevalue("stack_settings")
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_chat import DynamoConnectionRepository

    yield DynamoConnectionRepository(bootstrap.container().dynamodb, settings.table_name)


def cid() -> str:
    return f"C{uuid.uuid4().hex[:14]}="


def conn(user_id: str, *, at: int = T, lifetime: int = 7200, token_expires_at: int | None = None) -> Connection:
    return Connection(cid(), user_id, at, at + lifetime, token_expires_at=token_expires_at, session_id="S1",
                      generation=2)


def test_connections_are_counted_and_listed_per_user(connections):
    me, other = f"U{uuid.uuid4().hex[:10]}", f"U{uuid.uuid4().hex[:10]}"
    first, second = conn(me), conn(me)
    assert connections.add(first) == 1
    assert connections.add(second) == 2
    assert connections.count(other) == 0
    found = connections.of_users([me, other, me])
    assert sorted(found) == sorted([me, other])
    assert sorted(found[me]) == sorted([first.id, second.id]) and found[other] == []


def test_a_connection_reads_back_and_is_removed_once(connections):
    me = f"U{uuid.uuid4().hex[:10]}"
    made = conn(me, token_expires_at=T + 900)
    connections.add(made)
    assert connections.get(made.id) == made
    assert connections.remove(made.id) == made
    assert connections.remove(made.id) is None
    assert connections.get(made.id) is None and connections.count(me) == 0


def test_the_sweep_finds_connections_past_their_lifetime_or_token(connections):
    me = f"U{uuid.uuid4().hex[:10]}"
    # A far-off "now" of this test's own: other tests' connections are not in these hours.
    base = T + 10_000_000 + uuid.uuid4().int % 1_000_000 * 3600
    by_token = conn(me, at=base, token_expires_at=base + 600)
    by_lifetime = conn(me, at=base - 3600)
    alive = conn(me, at=base)
    for c in (by_token, by_lifetime, alive):
        connections.add(c)
    now = base + 3601
    assert [c.id for c in connections.expired(now, 10)] == [by_token.id, by_lifetime.id]
    assert [c.id for c in connections.expired(now, 1)] == [by_token.id]
    assert connections.expired(base + 599, 10) == []
