"""The ``RateLimiter`` contract, run against the DynamoDB limiter (GCRA on DynamoDB Local) and the in-memory fake
(a token bucket): both give a burst of ``capacity``, then one per interval, and the same ``Retry-After``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gigcore.domain.errors import RateLimitedError
from gigcore.ports.auth import RateLimiter
from tests.fakes import FakeLimiter

pytestmark = pytest.mark.integration

T0 = 1_800_000_000.0


@pytest.fixture(params=["dynamodb", "fake"])
def limiter(request: pytest.FixtureRequest) -> Iterator[RateLimiter]:
    if request.param == "fake":
        yield FakeLimiter()
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    yield bootstrap.container().rate_limiter


def taken(limiter: RateLimiter, key: str, now: float, *, capacity: int = 3, per_seconds: int = 60,
          bucket: str = "contract") -> int | None:
    """None when the take went through, else the Retry-After it was refused with."""
    try:
        limiter.take(bucket, key, capacity=capacity, per_seconds=per_seconds, now=now)
        return None
    except RateLimitedError as refused:
        return int(refused.headers["Retry-After"])


def test_a_burst_of_capacity_then_one_per_interval(limiter):
    key = uuid.uuid4().hex
    assert [taken(limiter, key, T0) for _ in range(4)] == [None, None, None, 20]
    assert taken(limiter, key, T0 + 5) == 15
    assert taken(limiter, key, T0 + 20) is None
    assert taken(limiter, key, T0 + 20) == 20
    assert [taken(limiter, key, T0 + 100) for _ in range(4)] == [None, None, None, 20]


def test_retry_after_is_at_least_one_second(limiter):
    key = uuid.uuid4().hex
    assert taken(limiter, key, T0, capacity=1, per_seconds=1) is None
    assert taken(limiter, key, T0 + 0.9, capacity=1, per_seconds=1) == 1


def test_buckets_and_keys_are_apart(limiter):
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert [taken(limiter, first, T0, capacity=1) for _ in range(2)] == [None, 60]
    assert taken(limiter, second, T0, capacity=1) is None
    assert taken(limiter, first, T0, capacity=1, bucket="other") is None
