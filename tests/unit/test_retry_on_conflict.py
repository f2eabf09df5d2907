"""The one retry-on-conflict helper: a lost race is tried again, anything else ends at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gigcore.domain.errors import ConflictError, ForbiddenError, TransactionConflictError
from gigcore.services.retry import retry_on_conflict


def _flaky(losses: int, answer: str = "stored") -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(len(calls))
        if len(calls) <= losses:
            raise TransactionConflictError("lost a race") if len(calls) % 2 else ConflictError("lost a race")
        return answer

    return calls, attempt


def test_an_attempt_that_loses_races_is_tried_again_until_it_wins() -> None:
    calls, attempt = _flaky(3)
    pauses: list[int] = []
    assert retry_on_conflict(attempt, attempts=6, pause=pauses.append) == "stored"
    assert len(calls) == 4
    assert pauses == [0, 1, 2]


def test_when_every_attempt_loses_the_last_conflict_is_raised_or_the_use_cases_own_error() -> None:
    calls, attempt = _flaky(10)
    with pytest.raises(ConflictError):
        retry_on_conflict(attempt, attempts=3, pause=lambda _: None)
    assert len(calls) == 3

    _, attempt = _flaky(10)
    with pytest.raises(ConflictError, match="kept changing") as raised:
        retry_on_conflict(attempt, attempts=2, pause=lambda _: None,
                          exhausted=lambda last: ConflictError("The milestone kept changing; try again."))
    assert isinstance(raised.value.__cause__, ConflictError)


def test_an_error_that_is_not_a_lost_race_ends_the_loop_at_once() -> None:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        raise ForbiddenError("Only the gig's owner can do this.")

    with pytest.raises(ForbiddenError):
        retry_on_conflict(attempt, attempts=5, pause=lambda _: None)
    assert calls == [1]


def test_at_least_one_attempt_is_asked_for() -> None:
    with pytest.raises(ValueError):
        retry_on_conflict(lambda: "x", attempts=0)


def test_a_conflict_that_is_not_the_kind_of_lost_race_asked_for_is_the_answer_at_once() -> None:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        raise ConflictError("You have already applied to this gig.")

    with pytest.raises(ConflictError, match="already applied"):
        retry_on_conflict(attempt, attempts=6, pause=lambda _: None, lost_race=TransactionConflictError)
    assert len(calls) == 1
    losses, flaky = _flaky(1)
    assert retry_on_conflict(flaky, attempts=3, pause=lambda _: None, lost_race=TransactionConflictError) == "stored"
