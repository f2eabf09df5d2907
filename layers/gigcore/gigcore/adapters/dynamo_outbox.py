"""The transactional outbox on DynamoDB: the event items, the stream records that carry them, and the
processed-event markers of idempotent consumers.

An event is an item ``pk = EVENT#<id>``, ``sk = EVENT`` (:func:`event_item`) written in the same
``TransactWriteItems`` as the state change: a unit of work's commit (``dynamo_unit_of_work``) or a user's save
(``dynamo_users``) adds it. The table's stream carries it to the router (``functions/app.py``), which asks
:class:`DynamoStreamRecords` what each record says and puts the events on their SQS queues; the item expires
(TTL) after a week, but correctness never depends on TTL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error
from gigcore.domain.clock import to_rfc3339, utc_now
from gigcore.ports import OutboxEvent
from gigcore.ports.changes import EntityChanged
from gigcore.ports.outbox import StreamRecord

EVENT_TTL_SECONDS = 7 * 24 * 3600
PROCESSED_TTL_SECONDS = 14 * 24 * 3600


def event_item(event: OutboxEvent, table_name: str) -> dict[str, Any]:
    """The ``Put`` entry that records ``event``; refuses a second event with the same id."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                "pk": {"S": f"EVENT#{event.id}"},
                "sk": {"S": "EVENT"},
                "kind": {"S": "event"},
                "event_id": {"S": event.id},
                "event_type": {"S": event.type},
                "queue": {"S": event.queue},
                "payload": {"S": json.dumps(dict(event.payload), separators=(",", ":"), default=str)},
                "occurred_at": {"S": to_rfc3339(utc_now())},
                "expires_at": {"N": str(int(time.time()) + EVENT_TTL_SECONDS)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def event_from_image(image: Mapping[str, Any]) -> OutboxEvent | None:
    """The event stored in a stream record's NewImage, or None for any other item."""
    if image.get("kind", {}).get("S") != "event":
        return None
    return OutboxEvent(
        id=image["event_id"]["S"],
        type=image["event_type"]["S"],
        queue=image["queue"]["S"],
        payload=json.loads(image["payload"]["S"]),
    )


def changed_entity(keys: Mapping[str, Any]) -> tuple[str, str] | None:
    """Which cached entity a stream record's ``Keys`` name: ("gig", id), ("user", id), or None."""
    pk = keys.get("pk", {}).get("S", "")
    sk = keys.get("sk", {}).get("S", "")
    if pk.startswith("GIG#") and sk == "GIG":
        return "gig", pk[4:]
    if pk.startswith("USER#") and sk == "PROFILE":
        return "user", pk[5:]
    return None


class DynamoStreamRecords:
    """The :class:`gigcore.ports.outbox.ChangeStreamReader` of the table's stream (``NEW_AND_OLD_IMAGES``): an
    inserted event item is its event; an update or removal of a gig or a user's profile is that entity's change
    (an inserted one is new: no process holds a copy of it to forget)."""

    def read(self, record: Mapping[str, Any]) -> StreamRecord:
        dynamodb = record.get("dynamodb", {})
        sequence_number = str(dynamodb.get("SequenceNumber", ""))
        if record.get("eventName") == "INSERT":
            return StreamRecord(sequence_number, event=event_from_image(dynamodb.get("NewImage", {})))
        changed = changed_entity(dynamodb.get("Keys", {}))
        if changed is None:
            return StreamRecord(sequence_number)
        kind, entity_id = changed
        return StreamRecord(sequence_number, changed=EntityChanged("gig" if kind == "gig" else "user", entity_id))


class DynamoProcessedEvents:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _key(self, consumer: str, event_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"PROCESSED#{consumer}#{event_id}"}, "sk": {"S": "PROCESSED"}}

    def seen(self, consumer: str, event_id: str) -> bool:
        try:
            answer = self._client.get_item(
                TableName=self._table, Key=self._key(consumer, event_id), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return "Item" in answer

    def mark(self, consumer: str, event_id: str) -> None:
        item = self._key(consumer, event_id) | {
            "expires_at": {"N": str(int(time.time()) + PROCESSED_TTL_SECONDS)},
        }
        try:
            self._client.put_item(TableName=self._table, Item=item)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
