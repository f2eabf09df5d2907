"""A conversation's messages and attachments on the main table (docs/data-model.md, chat patterns).

- message: ``pk = CONV#<conversation_id>``, ``sk = MSG#<message_id>`` (ULIDs: the sort key is the time order);
- dedup marker: ``sk = DEDUP#<sender_id>#<client_msg_id>``, naming the message it stored (never deleted);
- attachment: ``sk = ATT#<key>``, what was uploaded and by whom.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from gigcore.adapters.aws import conditional
from gigcore.adapters.dynamo_table import DynamoTable, number, text
from gigcore.domain.chat import Attachment, Conversation, Message
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import UpstreamUnavailableError


def message_item(message: Message) -> dict[str, Any]:
    return {
        "pk": text(f"CONV#{message.conversation_id}"), "sk": text(f"MSG#{message.id}"), "kind": text("message"),
        "id": text(message.id), "sender_id": text(message.sender_id), "body": text(message.body),
        "client_msg_id": text(message.client_msg_id), "created_at": text(to_rfc3339(message.created_at)),
        "attachments": text(json.dumps([a.__dict__ for a in message.attachments])),
    }


def message_from(item: dict[str, Any], conversation_id: str) -> Message:
    return Message(
        id=item["id"]["S"], conversation_id=conversation_id, sender_id=item["sender_id"]["S"],
        body=item["body"]["S"], client_msg_id=item["client_msg_id"]["S"],
        created_at=parse_rfc3339(item["created_at"]["S"]),
        attachments=tuple(Attachment(**a) for a in json.loads(item.get("attachments", {"S": "[]"})["S"])),
    )


def message_json(message: Message) -> str:
    """The message as its conversation's ``last_message`` holds it (:func:`message_from_json` reads it back)."""
    return json.dumps({"id": message.id, "sender_id": message.sender_id, "body": message.body,
                       "client_msg_id": message.client_msg_id, "created_at": to_rfc3339(message.created_at),
                       "attachments": [a.__dict__ for a in message.attachments]})


def message_from_json(raw: str, conversation_id: str) -> Message:
    data = json.loads(raw)
    return Message(id=data["id"], conversation_id=conversation_id, sender_id=data["sender_id"], body=data["body"],
                   client_msg_id=data["client_msg_id"], created_at=parse_rfc3339(data["created_at"]),
                   attachments=tuple(Attachment(**a) for a in data.get("attachments", [])))


class DynamoMessages(DynamoTable):
    """The messages and attachments part of :class:`gigcore.ports.chat.ChatStore`."""

    def add_message(self, conversation: Conversation, message: Message) -> tuple[Message, bool]:
        """Store the message unless its sender already sent its ``client_msg_id`` here: the dedup marker first
        (conditional), then the message (conditional). Two single-item writes, not a transaction, which would
        count each twice; a send that stopped between them is completed by its retry, under the first
        attempt's id and time (and delivered then: the message is new to everyone)."""
        dedup_key = {"pk": text(f"CONV#{conversation.id}"),
                     "sk": text(f"DEDUP#{message.sender_id}#{message.client_msg_id}")}
        marker = dedup_key | {"message_id": text(message.id), "created_at": text(to_rfc3339(message.created_at))}
        claimed = conditional(lambda: self._client.put_item(TableName=self._table, Item=marker,
                                                            ConditionExpression="attribute_not_exists(pk)"))
        if claimed is None:
            earlier = self.call("get_item", Key=dedup_key, ConsistentRead=True).get("Item")
            if not earlier:  # the marker is never deleted: only a broken table gets here
                raise UpstreamUnavailableError("A message's dedup marker vanished; try again.")
            stored = self.message(conversation.id, earlier["message_id"]["S"])
            if stored is not None:
                return stored, False
            at = earlier.get("created_at", {}).get("S")
            message = replace(message, id=earlier["message_id"]["S"],
                              created_at=parse_rfc3339(at) if at else message.created_at)
        put = conditional(lambda: self._client.put_item(TableName=self._table, Item=message_item(message),
                                                        ConditionExpression="attribute_not_exists(pk)"))
        if put is not None:
            return message, True
        # The same send, retried at the same moment, stored it first.
        stored = self.message(conversation.id, message.id)
        if stored is None:
            raise UpstreamUnavailableError("A message could not be stored; try again.")
        return stored, False

    def messages(self, conversation_id: str, *, limit: int, before: str | None) -> list[Message]:
        high = f"MSG#{before}" if before else "MSG#~"
        answer = self.call("query", KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                           ExpressionAttributeValues={":pk": text(f"CONV#{conversation_id}"), ":lo": text("MSG#"),
                                                      ":hi": text(high)},
                           ScanIndexForward=False, Limit=limit + 1)
        items = [i for i in answer.get("Items", []) if i["sk"]["S"] != high]
        return [message_from(i, conversation_id) for i in items[:limit]]

    def message(self, conversation_id: str, message_id: str) -> Message | None:
        item = self.item(f"CONV#{conversation_id}", f"MSG#{message_id}")
        return message_from(item, conversation_id) if item else None

    def put_attachment(self, conversation_id: str, uploader_id: str, attachment: Attachment) -> None:
        self.call("put_item", Item={
            "pk": text(f"CONV#{conversation_id}"), "sk": text(f"ATT#{attachment.key}"), "kind": text("attachment"),
            "uploader_id": text(uploader_id), "filename": text(attachment.filename),
            "content_type": text(attachment.content_type), "size": number(attachment.size)})

    def attachment(self, conversation_id: str, key: str) -> Attachment | None:
        item = self.item(f"CONV#{conversation_id}", f"ATT#{key}")
        if not item:
            return None
        return Attachment(key=key, filename=item["filename"]["S"], content_type=item["content_type"]["S"],
                          size=int(item["size"]["N"]))
