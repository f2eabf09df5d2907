"""The shared rate limiter on DynamoDB Local: a burst of ``capacity``, then one per interval, a Retry-After
that tells when the next take fits, and exactly ``capacity`` takes among concurrent callers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from gigcore.domain.errors import RateLimitedError

pytestmark = pytest.mark.integration

T0 = 1_800_000_000.0


@pytest.fixture
def limiter(stack_env):
    from gigcore import bootstrap

    return bootstrap.container().rate_limiter


def taken(limiter, key: str, now: float, *, capacity: int = 3, per_seconds: int = 60) -> int | None:
    """None when the take went through, else the Retry-After it was refused with."""
    try:
        limiter.take("test", key, capacity=capacity, per_seconds=per_seconds, now=now)
        return None
    except RateLimitedError as refused:
        return int(refused.headers["Retry-After"])


def test_a_full_bucket_refuses_until_one_interval_has_refilled(limiter):
    key = uuid.uuid4().hex
    assert [taken(limiter, key, T0) for _ in range(3)] == [None, None, None]
    assert taken(limiter, key, T0) == 20  # 3 per 60 s: the next fits 20 s later
    assert taken(limiter, key, T0 + 5) == 15
    assert taken(limiter, key, T0 + 20) is None
    assert taken(limiter, key, T0 + 20) == 20
    # After a whole window of rest the burst is back, and only the burst.
    assert [taken(limiter, key, T0 + 100) for _ in range(4)] == [None, None, None, 20]


def test_keys_and_buckets_are_counted_apart(limiter):
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert [taken(limiter, first, T0) for _ in range(4)][-1] == 20
    assert taken(limiter, second, T0) is None
    limiter.take("other", first, capacity=3, per_seconds=60, now=T0)


def test_concurrent_takes_never_exceed_the_capacity(limiter):
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: taken(limiter, key, T0, capacity=5), range(24)))
    assert sum(1 for answer in answers if answer is None) == 5
    assert all(answer is not None and answer >= 1 for answer in answers if answer is not None)


def test_a_bucket_of_the_old_form_counts_as_idle(limiter, stack_settings):
    import hashlib

    key = uuid.uuid4().hex
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    limiter._client.put_item(TableName=stack_settings.table_name, Item={
        "pk": {"S": f"RATE#test#{digest}"}, "sk": {"S": "RATE"}, "tokens": {"N": "0"}, "at": {"N": repr(T0)}})
    assert [taken(limiter, key, T0) for _ in range(4)] == [None, None, None, 20]


class CountingClient:
    """The limiter's client, counting its UpdateItem calls (each one is billed a write unit, applied or not)."""

    def __init__(self, client) -> None:
        self._client = client
        self.updates = 0

    def update_item(self, **params):
        self.updates += 1
        return self._client.update_item(**params)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_a_bucket_in_use_costs_one_write_a_take_once_the_process_has_seen_it(stack_env):
    """A chat sender faster than the interval: the first take finds the bucket idle; the next ones are guessed in
    use from the ``tat`` the last update returned, so none pays a refused write first. After a rest the guess is
    idle again; a guess made wrong by another process costs one refused write and still counts right."""
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_rate_limit import DynamoRateLimiter

    container = bootstrap.container()
    counting = CountingClient(container.dynamodb)
    limiter = DynamoRateLimiter(counting, container.settings.table_name)
    key = uuid.uuid4().hex
    for i in range(5):  # 10 per 60 s: one every 6 s, a burst of 10
        taken(limiter, key, T0 + i, capacity=10, per_seconds=60)
    assert counting.updates == 5
    assert taken(limiter, key, T0 + 200, capacity=10, per_seconds=60) is None  # rested: idle, guessed idle
    assert counting.updates == 6
    # Another process keeps the bucket busy meanwhile; this one still guesses idle from its last sight of it.
    other = DynamoRateLimiter(container.dynamodb, container.settings.table_name)
    for _ in range(3):
        other.take("test", key, capacity=10, per_seconds=60, now=T0 + 300)
    assert taken(limiter, key, T0 + 300.5, capacity=10, per_seconds=60) is None
    assert counting.updates == 6 + 2  # the idle guess refused, then in use
    assert taken(limiter, key, T0 + 301, capacity=10, per_seconds=60) is None  # seen in use: one write
    assert counting.updates == 6 + 2 + 1
