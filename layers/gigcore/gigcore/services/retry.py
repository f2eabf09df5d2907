"""The one way a use case retries a read-decide-write that lost a race.

A use case reads what it needs, decides through the domain, and writes with a condition on what it read
(a version, a status). When another writer got there first the write raises :class:`ConflictError` and
nothing was written; reading again and deciding again is then always safe. ``retry_on_conflict`` runs such an
attempt up to ``attempts`` times with a jittered pause between them, so that many writers of one item (a
burst of applies to one gig) spread out instead of colliding again::

    return retry_on_conflict(lambda: _attempt(...), attempts=6)

An error that is not a conflict (403, 404, a 409 ``invalid_state`` decided by the state machine) ends the
loop at once: only a lost race is worth another try.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from gigcore.domain.errors import ConflictError

__all__ = ["jittered_pause", "retry_on_conflict"]

T = TypeVar("T")


def jittered_pause(attempt: int, *, base: float = 0.01) -> None:
    """Sleep a random time in ``[0, base * 2**attempt)`` (full jitter, capped at ``2**5``)."""
    time.sleep(random.uniform(0, base * (2 ** min(attempt, 5))))  # noqa: S311 (not for security)


def retry_on_conflict(attempt: Callable[[], T], *, attempts: int,
                      pause: Callable[[int], None] = jittered_pause,
                      exhausted: Callable[[ConflictError], Exception] | None = None,
                      lost_race: type[ConflictError] = ConflictError) -> T:
    """Run ``attempt`` until it returns, at most ``attempts`` times, pausing after each lost race.

    When every attempt lost, the last :class:`ConflictError` is raised, or ``exhausted(last)`` when given (a
    use case that wants to say "it kept changing" in its own words). ``pause`` is told the attempt's index
    (from 0); a test passes a no-op. ``lost_race`` narrows which conflicts are lost races (an apply retries a
    :class:`TransactionConflictError`; its plain :class:`ConflictError`, a second application, is the answer)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for index in range(attempts):
        try:
            return attempt()
        except lost_race as lost:
            if index == attempts - 1:
                if exhausted is None:
                    raise
                raise exhausted(lost) from lost
            pause(index)
    raise AssertionError("unreachable")
