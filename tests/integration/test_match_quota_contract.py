"""The ``MatchQuota`` contract, run against the DynamoDB counters (on DynamoDB Local) and the in-memory fake: at
most ``limit`` distinct gigs per user and day, a gig already counted is granted again without counting twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gigcore.ports.notifications import MatchQuota
from tests.fakes import FakeMatchQuota

pytestmark = pytest.mark.integration

TTL = 1_900_000_000


@pytest.fixture(params=["dynamodb", "fake"])
def quota(request: pytest.FixtureRequest) -> Iterator[MatchQuota]:
    if request.param == "fake":
        yield FakeMatchQuota()
        return
    settings = request.getfixturevalue("stack_settings")
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_notifications import DynamoMatchQuota

    yield DynamoMatchQuota(bootstrap.container().dynamodb, settings.table_name)


def users(n: int) -> list[str]:
    return [f"U{uuid.uuid4().hex[:10]}" for _ in range(n)]


def test_each_user_gets_at_most_the_limit_of_distinct_gigs_a_day(quota):
    people = users(3)
    assert quota.claim(people, day="2026-12-03", gig_id="G1", limit=2, ttl_epoch=TTL) == set(people)
    assert quota.claim(people[:2], day="2026-12-03", gig_id="G2", limit=2, ttl_epoch=TTL) == set(people[:2])
    assert quota.claim(people, day="2026-12-03", gig_id="G3", limit=2, ttl_epoch=TTL) == {people[2]}


def test_a_gig_already_counted_is_granted_again_and_counts_nothing_more(quota):
    people = users(2)
    quota.claim(people, day="2026-12-03", gig_id="G1", limit=1, ttl_epoch=TTL)
    assert quota.claim(people, day="2026-12-03", gig_id="G1", limit=1, ttl_epoch=TTL) == set(people)
    assert quota.claim(people, day="2026-12-03", gig_id="G2", limit=1, ttl_epoch=TTL) == set()


def test_days_are_counted_apart(quota):
    people = users(1)
    quota.claim(people, day="2026-12-03", gig_id="G1", limit=1, ttl_epoch=TTL)
    assert quota.claim(people, day="2026-12-04", gig_id="G2", limit=1, ttl_epoch=TTL) == set(people)


def test_no_users_or_no_quota_grants_nothing(quota):
    people = users(1)
    quota.claim(people, day="2026-12-03", gig_id="G1", limit=2, ttl_epoch=TTL)
    assert quota.claim([], day="2026-12-03", gig_id="G9", limit=2, ttl_epoch=TTL) == set()
    assert quota.claim(people, day="2026-12-03", gig_id="G1", limit=0, ttl_epoch=TTL) == set()
