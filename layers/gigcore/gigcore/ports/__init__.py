"""Ports: the Protocols that services depend on. Adapters implement them; fakes stand in for unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class DependencyProbe(Protocol):
    """A cheap liveness check of one dependency, for ``/health``."""

    name: str

    def ping(self) -> None:
        """Return when the dependency answers; raise :class:`UpstreamUnavailableError` when not."""


class Queue(Protocol):
    """Publishes messages to the SQS queues named in :data:`gigcore.settings.QUEUE_KEYS`."""

    def send(self, queue_key: str, body: Mapping[str, Any], *, delay_seconds: int = 0) -> str:
        """Send one JSON message; returns the message id. Raises :class:`UpstreamUnavailableError`."""

    def send_many(self, queue_key: str, bodies: Sequence[Mapping[str, Any]]) -> None:
        """Send JSON messages in batches (SQS takes ten a call). Raises :class:`UpstreamUnavailableError` when
        any could not be sent; sending again is safe because every consumer is idempotent on the message's id."""


class ConnectionNotifier(Protocol):
    """Posts frames to WebSocket connections (API Gateway management API)."""

    def post(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        """Send ``frame`` as JSON. Returns False when the connection is gone (stale), True when sent."""

    def close(self, connection_id: str) -> None:
        """Close a connection; a connection that is already gone is not an error."""


@dataclass(frozen=True)
class OutboxEvent:
    """An event recorded in the same transaction as the state change it describes: a use case hands it to its
    unit of work (:meth:`gigcore.ports.unit_of_work.UnitOfWork.record`), whose commit writes it with the changes or
    not at all; the change stream carries it to the router (:mod:`gigcore.ports.outbox`).

    ``id`` is the business key consumers deduplicate on; ``queue`` is where the stream router puts it.
    """

    id: str
    type: str
    queue: str
    payload: Mapping[str, Any] = field(default_factory=dict)


class ProcessedEvents(Protocol):
    """Remembers which events a consumer has applied, so redelivery is harmless.

    A consumer asks :meth:`seen` first and calls :meth:`mark` only after its handler succeeded: a crash
    in between means the event is handled again (handlers are idempotent on their business key), never
    that it is lost.
    """

    def seen(self, consumer: str, event_id: str) -> bool:
        """True when ``consumer`` already applied ``event_id``."""

    def mark(self, consumer: str, event_id: str) -> None:
        """Record that ``consumer`` applied ``event_id``."""
