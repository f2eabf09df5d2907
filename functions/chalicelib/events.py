"""Event handlers: the DynamoDB-stream router of the outbox and the idempotent SQS consumers.

Both report partial batch failures (``batchItemFailures``), so one bad record never replays a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.imports import on_first_use
from gigcore import bootstrap

if TYPE_CHECKING:
    from gigcore.services import events
else:
    events = on_first_use("gigcore.services.events")


def route_stream(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Put every event item inserted into the table on its SQS queue (the outbox's relay), and tell this
    process of every gig or user that changed (:meth:`gigcore.bootstrap.wiring.Container.changed`)."""
    container = bootstrap.container()
    parsed = [container.stream_records.read(record) for record in records]
    failed = events.relay(parsed, container.queue, container.changed)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}


def consume_queue(consumer: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the events of one SQS batch once each; failed ones are reported for redelivery."""
    container = bootstrap.container()
    messages = [events.QueueMessage(message_id=r["messageId"], body=r["body"]) for r in records]
    failed = events.consume(consumer, messages, container.bus, container.processed_events)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
