"""The outbox's far end: what a record of the table's change stream says, in the domain's terms.

A use case records its events with its changes in one commit (:class:`gigcore.ports.unit_of_work.UnitOfWork`);
the stream carries each written item to the router, which puts the events on their queues and tells the process
of the gigs and users that changed. Only the adapter knows how a stream record is shaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from gigcore.ports import OutboxEvent
from gigcore.ports.changes import EntityChanged


@dataclass(frozen=True)
class StreamRecord:
    """What the router needs of one change-stream record: where it stands in the stream, the event it recorded
    (an event item written), and the stored gig or user it changed (an update or removal of one)."""

    sequence_number: str
    event: OutboxEvent | None = None
    changed: EntityChanged | None = None


class ChangeStreamReader(Protocol):
    def read(self, record: Mapping[str, Any]) -> StreamRecord:
        """What ``record`` (as the stream's event source delivers it) says; a record of any other item says
        nothing but its sequence number. Pure: it reads nothing else."""
