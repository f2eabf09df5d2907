"""The ``IdempotencyStore`` contract, run against the DynamoDB store (on DynamoDB Local) and the in-memory fake:
a key is claimed once, a finished answer replays (as JSON would carry it), a failed request's claim is given back,
and a record past its TTL, or a claim left running past ``stale_after``, counts as absent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gigcore.ports.auth import IdempotencyStore, StoredAnswer
from tests.fakes import FakeIdempotency

pytestmark = pytest.mark.integration

NOW = 1_800_000_000
TTL, STALE = 3600, 90


@pytest.fixture(params=["dynamodb", "fake"])
def store(request: pytest.FixtureRequest) -> Iterator[IdempotencyStore]:
    if request.param == "fake":
        yield FakeIdempotency(ttl_seconds=TTL, stale_after=STALE)
        return
    settings = request.getfixturevalue("stack_settings")
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_idempotency import DynamoIdempotencyStore

    yield DynamoIdempotencyStore(bootstrap.container().dynamodb, settings.table_name, TTL, stale_after=STALE)


def test_a_key_is_claimed_once_and_tells_the_second_caller_it_is_running(store):
    key = uuid.uuid4().hex
    assert store.begin("s", key, "h1", NOW) is None
    state = store.begin("s", key, "h1", NOW + 1)
    assert state is not None and (state.request_hash, state.done, state.answer) == ("h1", False, None)


def test_a_finished_answer_replays_as_json_carries_it(store):
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    store.finish("s", key, StoredAnswer(status=201, body={"id": "x", "tags": ("a", "b")},
                                        headers={"Location": "/x"}), NOW)
    state = store.begin("s", key, "h2", NOW + 5)
    assert state is not None and state.done and state.request_hash == "h1"
    assert state.answer == StoredAnswer(status=201, body={"id": "x", "tags": ["a", "b"]}, headers={"Location": "/x"})


def test_an_answer_kept_without_replay_says_so(store):
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    store.finish("s", key, StoredAnswer(status=201, body=None, headers={}, replayable=False), NOW)
    state = store.begin("s", key, "h1", NOW)
    assert state is not None and state.answer is not None and state.answer.replayable is False


def test_an_abandoned_claim_can_be_taken_again(store):
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    store.abandon("s", key)
    assert store.begin("s", key, "h1", NOW) is None


def test_keys_are_scoped(store):
    key = uuid.uuid4().hex
    assert store.begin("user:A", key, "h", NOW) is None
    assert store.begin("user:B", key, "h", NOW) is None


def test_a_claim_left_running_past_stale_after_is_taken_over(store):
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    assert store.begin("s", key, "h1", NOW + STALE - 1) is not None
    assert store.begin("s", key, "h1", NOW + STALE) is None


def test_a_finished_record_past_its_ttl_counts_as_absent(store):
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    store.finish("s", key, StoredAnswer(status=200, body={}, headers={}), NOW + 10)
    assert store.begin("s", key, "h2", NOW + 10 + TTL - 1) is not None  # kept for TTL from the finish
    assert store.begin("s", key, "h2", NOW + 10 + TTL) is None


def test_finishing_a_claim_that_is_gone_leaves_the_key_free(store):
    """The claim was given back (or its record went) before the answer was kept: finishing writes nothing, and
    the key can be claimed again (no half-record without a request hash that a later request would trip on)."""
    key = uuid.uuid4().hex
    store.begin("s", key, "h1", NOW)
    store.abandon("s", key)
    store.finish("s", key, StoredAnswer(status=201, body={"id": "x"}, headers={}), NOW)
    assert store.begin("s", key, "h2", NOW + 1) is None
    state = store.begin("s", key, "h2", NOW + 2)
    assert state is not None and (state.request_hash, state.done) == ("h2", False)
