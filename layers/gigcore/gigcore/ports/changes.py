"""What a write tells the rest of its process: which stored gig or user it changed.

A service that wrote a gig or a user announces it to the :class:`ChangeListener` it was given; the DynamoDB
stream announces the same of every other process's writes. The composition root subscribes what must hear of
it (the read caches) in one place (:mod:`gigcore.bootstrap.wiring`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ChangedKind = Literal["gig", "user"]


@dataclass(frozen=True)
class EntityChanged:
    """The stored ``kind`` with id ``entity_id`` was written (or a write of it was refused: it may have moved)."""

    kind: ChangedKind
    entity_id: str


class ChangeListener(Protocol):
    def __call__(self, change: EntityChanged, /) -> None: ...


def nobody_listens(change: EntityChanged, /) -> None:
    """The listener of a service wired without one (a script, a test): nothing to tell."""
