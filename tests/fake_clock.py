"""A clock that says what the test tells it (the :class:`gigcore.ports.clock.Clock` of tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("a FakeClock keeps aware UTC times")

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now
