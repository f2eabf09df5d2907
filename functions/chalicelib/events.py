"""Event handlers: the DynamoDB-stream router of the outbox and the idempotent SQS consumers.

Both report partial batch failures (``batchItemFailures``), so one bad record never replays a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.imports import on_first_use
from gigcore import bootstrap
from gigcore.ports.changes import EntityChanged

if TYPE_CHECKING:
    from gigcore.services import events
else:
    events = on_first_use("gigcore.services.events")


def route_stream(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Put every event item inserted into the table on its SQS queue (the outbox's relay), and tell this
    process of every gig or user that changed (:meth:`gigcore.bootstrap.wiring.Container.changed`)."""
    from gigcore.adapters.dynamo_outbox import changed_entity, event_from_image

    container = bootstrap.container()
    parsed = []
    for record in records:
        dynamodb = record.get("dynamodb", {})
        event = None
        if record.get("eventName") == "INSERT":
            event = event_from_image(dynamodb.get("NewImage", {}))
        elif (changed := changed_entity(dynamodb.get("Keys", {}))) is not None:
            kind, entity_id = changed
            container.changed(EntityChanged("gig" if kind == "gig" else "user", entity_id))
        parsed.append(events.StreamRecord(sequence_number=str(dynamodb.get("SequenceNumber", "")), event=event))
    failed = events.route_events(parsed, container.queue)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}


def consume_queue(consumer: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the events of one SQS batch once each; failed ones are reported for redelivery."""
    container = bootstrap.container()
    messages = [events.QueueMessage(message_id=r["messageId"], body=r["body"]) for r in records]
    failed = events.consume(consumer, messages, container.bus, container.processed_events)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
