"""State machines as data: a table ``(status, action) -> status after``; nothing else is allowed.

Gigs, applications, milestones and contracts each keep their own table (in their domain module); this is the
one place that reads such a table, so every refusal has the same words and the same ``details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from gigcore.domain.errors import ErrorDetail, InvalidStateError

S = TypeVar("S", bound=str)
A = TypeVar("A", bound=str)


def next_state(table: Mapping[tuple[S, A], S], what: str, status: S, action: A) -> S:
    """The status after ``action``; :class:`InvalidStateError` (409) naming ``what`` when ``table`` does not
    allow it (``what`` is the entity with its article: "A gig")."""
    after = table.get((status, action))
    if after is None:
        raise InvalidStateError(f"{what} that is {status.replace('_', ' ')} cannot be changed that way ({action}).",
                                details=[ErrorDetail(field="status", issue=status)])
    return after


def sources(table: Mapping[tuple[S, A], S], action: A) -> frozenset[S]:
    """Every status from which ``table`` allows ``action`` (what a write's condition expects)."""
    return frozenset(s for (s, a) in table if a == action)


@dataclass(frozen=True)
class StateMachine(Generic[S, A]):
    """One entity's table, named for its refusals (``what``: "A gig"): what each module's ``next_*_status`` and
    ``statuses_allowing_*`` answer from."""

    what: str
    table: Mapping[tuple[S, A], S]

    def next(self, status: S, action: A) -> S:
        """The status after ``action``; :class:`InvalidStateError` (409) when the machine does not allow it."""
        return next_state(self.table, self.what, status, action)

    def allowing(self, action: A) -> frozenset[S]:
        """Every status from which ``action`` is allowed (what a write's condition expects)."""
        return sources(self.table, action)
