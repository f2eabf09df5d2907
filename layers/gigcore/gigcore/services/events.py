"""Event flow of the transactional outbox: stream router and idempotent queue consumers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from gigcore.observability import SERVICE
from gigcore.ports import OutboxEvent, ProcessedEvents, Queue
from gigcore.ports.changes import ChangeListener
from gigcore.ports.outbox import StreamRecord

logger = Logger(service=SERVICE, child=True)

EventHandler = Callable[[OutboxEvent], None]


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    body: str


class EventBus:
    """Which handlers run for which event type, per consumer (one consumer per queue)."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], list[EventHandler]] = {}

    def subscribe(self, consumer: str, event_type: str, handler: EventHandler) -> None:
        self._handlers.setdefault((consumer, event_type), []).append(handler)

    def unsubscribe(self, consumer: str, event_type: str, handler: EventHandler) -> None:
        handlers = self._handlers.get((consumer, event_type), [])
        if handler in handlers:
            handlers.remove(handler)

    def handlers(self, consumer: str, event_type: str) -> list[EventHandler]:
        return list(self._handlers.get((consumer, event_type), []))


def message_body(event: OutboxEvent) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, "payload": dict(event.payload)}


def relay(records: Sequence[StreamRecord], queue: Queue, changed: ChangeListener) -> list[str]:
    """The stream router: tell ``changed`` of every gig or user a record changed, then put the recorded events
    on their queues (:func:`route_events`, whose answer it is)."""
    for record in records:
        if record.changed is not None:
            changed(record.changed)
    return route_events(records, queue)


def route_events(records: Sequence[StreamRecord], queue: Queue) -> list[str]:
    """Put each recorded event on its queue, in stream order.

    Returns the sequence numbers to report as failed: the first record whose send failed, so the
    stream retries from there (later records are retried with it; consumers deduplicate).
    """
    for record in records:
        if record.event is None:
            continue
        logger.set_correlation_id(record.event.id)  # the event's id follows it through every queue's log lines
        try:
            queue.send(record.event.queue, message_body(record.event))
        except Exception:
            logger.exception("could not route event %s", record.event.id)
            return [record.sequence_number]
        finally:
            logger.set_correlation_id(None)
    return []


def parse_message(body: str) -> OutboxEvent:
    data = json.loads(body)
    if not isinstance(data, Mapping) or not {"id", "type"} <= data.keys():
        raise ValueError("not an outbox event message")
    return OutboxEvent(id=str(data["id"]), type=str(data["type"]), queue="", payload=data.get("payload", {}))


def consume(
    consumer: str,
    messages: Iterable[QueueMessage],
    bus: EventBus,
    processed: ProcessedEvents,
) -> list[str]:
    """Apply each message's event once; returns the ids of messages that failed (partial batch failure).

    A message that is not an event, or an event with no handler here, is dropped with a log line: retrying
    it cannot help. A failing handler leaves the event unmarked so SQS redelivers it, and after
    ``maxReceiveCount`` receives it lands in the dead-letter queue.
    """
    failed: list[str] = []
    for message in messages:
        try:
            event = parse_message(message.body)
        except ValueError:
            logger.error("dropping malformed message %s on %s", message.message_id, consumer)
            continue
        logger.set_correlation_id(event.id)
        try:
            if processed.seen(consumer, event.id):
                continue
            handlers = bus.handlers(consumer, event.type)
            if not handlers:
                logger.warning("no handler for %s on %s", event.type, consumer)
            for handler in handlers:
                handler(event)
            processed.mark(consumer, event.id)
        except Exception:
            logger.exception("event %s failed on %s", event.id, consumer)
            failed.append(message.message_id)
        finally:
            logger.set_correlation_id(None)
    return failed
