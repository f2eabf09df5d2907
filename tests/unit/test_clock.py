"""The Clock port: the system's clock tells aware UTC time, and routes act at the container's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigcore import bootstrap
from gigcore.adapters.system_clock import SystemClock
from tests.fake_clock import FakeClock
from tests.unit.app_on_fakes import app_on_fakes


def test_the_system_clock_tells_aware_utc_time():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_the_container_reads_the_system_clock():
    bootstrap.reset()
    try:
        assert isinstance(bootstrap.container().clock, SystemClock)
    finally:
        bootstrap.reset()


def test_a_fake_clock_keeps_aware_time_and_moves_only_when_told():
    clock = FakeClock(datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert clock.advance(days=1) == datetime(2026, 1, 3, 3, 4, tzinfo=UTC) == clock.now()
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))  # noqa: DTZ001 (naive on purpose)


def test_a_route_acts_at_the_containers_clock():
    # Given the app whose container's clock says a fixed moment
    moment = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    with app_on_fakes("clock@example.com") as (client, _token, _routes):
        bootstrap.container().__dict__["clock"] = FakeClock(moment)
        # When an account is created
        answer = client.http.post("/auth/signup", headers={"Content-Type": "application/json"},
                                  body=b'{"email": "new@example.com", "password": "a long enough secret", '
                                       b'"name": "New", "roles": ["client"]}')
        # Then the account was created at the clock's time, not the system's
        assert answer.status_code == 201, answer.body
        assert json_body(answer)["user"]["created_at"] == "2026-11-22T10:00:00Z"


def json_body(answer: object) -> dict[str, object]:
    import json

    body = answer.body  # type: ignore[attr-defined]
    return dict(json.loads(body))
