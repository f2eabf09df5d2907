"""The per-instance read cache: bounds, expiry, invalidation, counters, and who invalidates it."""

from __future__ import annotations

import json

import pytest

from gigcore import bootstrap
from gigcore.adapters.dynamo_outbox import changed_entity
from gigcore.cache import TtlLruCache, counters, register
from gigcore.ports import OutboxEvent
from gigcore.services.events import EventBus, QueueMessage, consume


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def cache(clock: Clock, *, max_entries: int = 3, ttl: float = 10) -> TtlLruCache[str, str]:
    return TtlLruCache("test", max_entries=max_entries, ttl_seconds=ttl, clock=clock)


def test_a_stored_value_is_served_until_its_ttl_and_then_forgotten(clock):
    values = cache(clock)
    values.put("a", "A")
    clock.now += 9.9
    assert values.get("a") == "A"
    clock.now += 0.1
    assert values.get("a") is None
    assert len(values) == 0


def test_the_least_recently_used_entry_goes_first_when_full(clock):
    values = cache(clock, max_entries=3)
    for key in "abc":
        values.put(key, key.upper())
    assert values.get("a") == "A"  # a is now the most recently used
    values.put("d", "D")
    assert [values.get(k) for k in "abcd"] == ["A", None, "C", "D"]
    assert len(values) == 3 and values.counters().evictions == 1


def test_storing_again_renews_the_ttl(clock):
    values = cache(clock)
    values.put("a", "old")
    clock.now += 8
    values.put("a", "new")
    clock.now += 8
    assert values.get("a") == "new"


def test_an_invalidated_entry_is_loaded_again(clock):
    values = cache(clock)
    loads: list[str] = []

    def load(key: str) -> str:
        loads.append(key)
        return f"{key}-{len(loads)}"

    assert values.get_or_load("a", load) == "a-1"
    assert values.get_or_load("a", load) == "a-1"
    assert values.invalidate("a") is True and values.invalidate("a") is False
    assert values.get_or_load("a", load) == "a-2"
    assert loads == ["a", "a"]


def test_absence_is_never_cached(clock):
    values = cache(clock)
    answers = iter([None, "created"])
    assert values.get_or_load("a", lambda _: next(answers)) is None
    assert values.get_or_load("a", lambda _: next(answers)) == "created"


def test_counters_count_hits_misses_and_invalidations_and_add_up_across_caches(clock):
    first = register(TtlLruCache("first-test-cache", max_entries=2, ttl_seconds=5, clock=clock))
    second = register(TtlLruCache("second-test-cache", max_entries=2, ttl_seconds=5, clock=clock))
    before = counters()
    first.get_or_load("x", lambda _: 1)
    first.get_or_load("x", lambda _: 1)
    second.get_or_load("y", lambda _: 2)
    first.invalidate("x")
    assert first.counters().hits == 1 and first.counters().misses == 1 and first.counters().invalidations == 1
    after = counters()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 2)
    assert first.counters().hit_ratio == 0.5 and TtlLruCache("empty", max_entries=1, ttl_seconds=1).counters() \
        .hit_ratio is None


@pytest.mark.parametrize("bad", [{"max_entries": 0, "ttl_seconds": 1}, {"max_entries": 1, "ttl_seconds": 0}])
def test_a_cache_without_bounds_is_refused(bad):
    with pytest.raises(ValueError):
        TtlLruCache("unbounded", **bad)


@pytest.mark.parametrize("keys, entity", [
    ({"pk": {"S": "GIG#01ABC"}, "sk": {"S": "GIG"}}, ("gig", "01ABC")),
    ({"pk": {"S": "USER#01XYZ"}, "sk": {"S": "PROFILE"}}, ("user", "01XYZ")),
    ({"pk": {"S": "EMAIL#a@b.c"}, "sk": {"S": "EMAIL"}}, None),
    ({"pk": {"S": "GEO#gigs#s0"}, "sk": {"S": "s0abc#01ABC"}}, None),
    ({}, None),
])
def test_stream_keys_name_the_cached_entity_that_changed(keys, entity):
    assert changed_entity(keys) == entity


class NothingProcessed:
    def seen(self, consumer: str, event_id: str) -> bool:
        return False

    def mark(self, consumer: str, event_id: str) -> None:
        pass


@pytest.mark.parametrize("kind", ["gig.updated", "gig.closed"])
def test_a_gig_event_on_the_search_queue_forgets_the_cached_gig(kind):
    bootstrap.reset()
    try:
        container = bootstrap.container()
        container.gig_cache.put("01GIG", object())  # type: ignore[arg-type]
        event = OutboxEvent(id="01EVENT", type=kind, queue="search-indexing", payload={"gig_id": "01GIG"})
        body = json.dumps({"id": event.id, "type": event.type, "payload": dict(event.payload)})
        bus: EventBus = container.bus
        failed = consume("search-indexing", [QueueMessage("m1", body)], bus, NothingProcessed())
        assert failed == [] and container.gig_cache.get("01GIG") is None
    finally:
        bootstrap.reset()


def test_the_stream_router_forgets_changed_gigs_and_users():
    from chalicelib import events

    bootstrap.reset()
    try:
        container = bootstrap.container()
        container.gig_cache.put("01GIG", object())  # type: ignore[arg-type]
        container.profile_cache.put("01USER", object())  # type: ignore[arg-type]
        container.profile_cache.put("01OTHER", object())  # type: ignore[arg-type]
        records = [
            {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "1",
                                                 "Keys": {"pk": {"S": "GIG#01GIG"}, "sk": {"S": "GIG"}}}},
            {"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "2",
                                                 "Keys": {"pk": {"S": "USER#01USER"}, "sk": {"S": "PROFILE"}}}},
        ]
        assert events.route_stream(records) == {"batchItemFailures": []}
        assert container.gig_cache.get("01GIG") is None and container.profile_cache.get("01USER") is None
        assert container.profile_cache.get("01OTHER") is not None
    finally:
        bootstrap.reset()
