"""DynamoDB adapters of the chat ports (see docs/data-model.md, patterns C1-C9).

What a message costs (docs/scaling.md, "Cost"): no write of the send path is a transaction (a transactional
write counts twice) and no chat item is in a secondary index (an index doubles every write of an item in it,
and moving an item within it is a delete and a put). For a 1:1 conversation, a text message of up to ~500
bytes writes 5 items of under 1 KB (plus the sender's rate-limit bucket, elsewhere): the dedup marker, the
message, the conversation's latest message and each participant's membership (activity, unread count).
Each write is conditional and idempotent, so a send retried with the same ``client_msg_id`` after a crash at
any point completes what the first attempt left undone and stores nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import conditional, error_code, translate
from gigcore.domain.chat import Attachment, Connection, Conversation, Membership, Message
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import UpstreamUnavailableError

CONNECTION_BUCKET_SECONDS = 3600
#: Shared by every request of the process (a Lambda instance): creating a pool per call costs more than it saves.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="gigconnect-dynamo")
_CACHE_SIZE = 10_000


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _message_item(message: Message) -> dict[str, Any]:
    return {
        "pk": _s(f"CONV#{message.conversation_id}"), "sk": _s(f"MSG#{message.id}"), "kind": _s("message"),
        "id": _s(message.id), "sender_id": _s(message.sender_id), "body": _s(message.body),
        "client_msg_id": _s(message.client_msg_id), "created_at": _s(to_rfc3339(message.created_at)),
        "attachments": _s(json.dumps([a.__dict__ for a in message.attachments])),
    }


def _message_from(item: dict[str, Any], conversation_id: str) -> Message:
    return Message(
        id=item["id"]["S"], conversation_id=conversation_id, sender_id=item["sender_id"]["S"],
        body=item["body"]["S"], client_msg_id=item["client_msg_id"]["S"],
        created_at=parse_rfc3339(item["created_at"]["S"]),
        attachments=tuple(Attachment(**a) for a in json.loads(item.get("attachments", {"S": "[]"})["S"])),
    )


def _message_json(message: Message) -> str:
    return json.dumps({"id": message.id, "sender_id": message.sender_id, "body": message.body,
                       "client_msg_id": message.client_msg_id, "created_at": to_rfc3339(message.created_at),
                       "attachments": [a.__dict__ for a in message.attachments]})


def _conversation_from(item: dict[str, Any]) -> Conversation:
    conversation_id = item["id"]["S"]
    last = None
    if "last_message" in item:
        raw = json.loads(item["last_message"]["S"])
        last = Message(id=raw["id"], conversation_id=conversation_id, sender_id=raw["sender_id"], body=raw["body"],
                       client_msg_id=raw["client_msg_id"], created_at=parse_rfc3339(raw["created_at"]),
                       attachments=tuple(Attachment(**a) for a in raw.get("attachments", [])))
    return Conversation(
        id=conversation_id, participant_ids=tuple(p["S"] for p in item["participants"]["L"]),
        created_at=parse_rfc3339(item["created_at"]["S"]),
        last_activity_at=parse_rfc3339(item["last_activity_at"]["S"]),
        gig_id=item.get("gig_id", {}).get("S"), contract_id=item.get("contract_id", {}).get("S"), last_message=last,
    )


def _inbox(activity: str, conversation_id: str) -> str:
    return f"{activity}#{conversation_id}"


def _inbox_of(member: dict[str, Any]) -> str:
    """A membership's place in its user's inbox; one written while the inbox was an index has it as gsi1sk."""
    found = member.get("inbox") or member.get("gsi1sk") or {"S": f"#{member['conversation_id']['S']}"}
    return str(found["S"])


def _position(after: str | None) -> str | None:
    """The inbox position a page starts after (an earlier index cursor carries it as gsi1sk)."""
    if not after:
        return None
    try:
        data = json.loads(after)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("inbox"), str):
        return str(data["inbox"])
    if isinstance(data, dict) and isinstance(data.get("gsi1sk"), dict):
        return str(data["gsi1sk"].get("S", "")) or None
    return None


class DynamoChatRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._participants: dict[str, Conversation] = {}

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(TableName=self._table, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc

    def create_conversation(self, conversation: Conversation, *, pair: str | None) -> Conversation:
        activity = to_rfc3339(conversation.last_activity_at)
        item: dict[str, Any] = {
            "pk": _s(f"CONV#{conversation.id}"), "sk": _s("META"), "kind": _s("conversation"),
            "id": _s(conversation.id), "participants": {"L": [_s(p) for p in conversation.participant_ids]},
            "created_at": _s(to_rfc3339(conversation.created_at)), "last_activity_at": _s(activity),
        }
        if conversation.gig_id:
            item["gig_id"] = _s(conversation.gig_id)
        if conversation.contract_id:
            item["contract_id"] = _s(conversation.contract_id)
        # Rare, and the pair's marker must exist exactly when the conversation does: one transaction.
        writes: list[dict[str, Any]] = [{"Put": {"TableName": self._table, "Item": item,
                                                 "ConditionExpression": "attribute_not_exists(pk)"}}]
        if pair is not None:
            writes.append({"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                                   "Item": {"pk": _s(f"CONVPAIR#{pair}"), "sk": _s("CONVPAIR"),
                                            "conversation_id": _s(conversation.id)}}})
        for user_id in conversation.participant_ids:
            writes.append({"Put": {"TableName": self._table, "Item": {
                "pk": _s(f"USER#{user_id}"), "sk": _s(f"MEMBER#{conversation.id}"), "kind": _s("member"),
                "conversation_id": _s(conversation.id), "unread_count": _n(0),
                "inbox": _s(_inbox(activity, conversation.id))}}})
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if pair is not None and len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                existing = self._call("get_item", Key={"pk": _s(f"CONVPAIR#{pair}"), "sk": _s("CONVPAIR")},
                                      ConsistentRead=True).get("Item")
                if existing:
                    found = self.get_conversation(existing["conversation_id"]["S"])
                    if found:
                        return found
            raise translate(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise translate(exc, "DynamoDB") from exc
        return conversation

    def find_pair(self, pair: str) -> Conversation | None:
        existing = self._call("get_item", Key={"pk": _s(f"CONVPAIR#{pair}"), "sk": _s("CONVPAIR")},
                              ConsistentRead=True).get("Item")
        return self.get_conversation(existing["conversation_id"]["S"]) if existing else None

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        item = self._call("get_item", Key={"pk": _s(f"CONV#{conversation_id}"), "sk": _s("META")},
                          ConsistentRead=True).get("Item")
        if not item:
            return None
        conversation = _conversation_from(item)
        self._remember(conversation)
        return conversation

    def _remember(self, conversation: Conversation) -> None:
        if len(self._participants) >= _CACHE_SIZE:
            self._participants.pop(next(iter(self._participants)))
        self._participants[conversation.id] = conversation

    def conversation_for_delivery(self, conversation_id: str) -> Conversation | None:
        """A conversation whose participants are known to this instance; participants never change, so
        a message or a receipt costs no read of the conversation after the first."""
        known = self._participants.get(conversation_id)
        return known if known is not None else self.get_conversation(conversation_id)

    def _members(self, user_id: str) -> list[dict[str, Any]]:
        """Every membership of the user (~150 bytes each: one read unit per ~25 conversations)."""
        kwargs: dict[str, Any] = {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :member)",
                                  "ExpressionAttributeValues": {":pk": _s(f"USER#{user_id}"),
                                                                ":member": _s("MEMBER#")},
                                  "ConsistentRead": True}
        found: list[dict[str, Any]] = []
        while True:
            answer = self._call("query", **kwargs)
            found += answer.get("Items", [])
            if "LastEvaluatedKey" not in answer:
                return found
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _metas(self, conversation_ids: Sequence[str]) -> dict[str, Conversation]:
        keys = [{"pk": _s(f"CONV#{c}"), "sk": _s("META")} for c in conversation_ids]
        found: dict[str, Conversation] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {self._table: {"Keys": keys[start:start + 100]}}
            while request:
                try:
                    got = self._client.batch_get_item(RequestItems=request)
                except (ClientError, BotoCoreError) as exc:
                    raise translate(exc, "DynamoDB") from exc
                for item in got["Responses"].get(self._table, []):
                    conversation = _conversation_from(item)
                    found[conversation.id] = conversation
                request = got.get("UnprocessedKeys") or {}
        return found

    def conversations_of(self, user_id: str, *, limit: int, after: str | None) -> tuple[
            list[tuple[Conversation, Membership]], str | None]:
        """Latest activity first: the user's memberships are read whole and ordered here, by ``inbox``
        (``<last activity>#<conversation>``), instead of through an index that every message would move
        each participant's item in (two index writes per participant per message)."""
        members = sorted(self._members(user_id), key=_inbox_of, reverse=True)
        position = _position(after)
        if position is not None:
            members = [m for m in members if _inbox_of(m) < position]
        page = members[:limit]
        if not page:
            return [], None
        by_id = self._metas([m["conversation_id"]["S"] for m in page])
        pairs = []
        for member in page:
            conversation = by_id.get(member["conversation_id"]["S"])
            if conversation is not None:
                pairs.append((conversation, Membership(conversation.id, user_id, int(member["unread_count"]["N"]),
                                                       member.get("last_read", {}).get("S"))))
        more = len(members) > limit
        return pairs, json.dumps({"inbox": _inbox_of(page[-1])}) if more else None

    def add_message(self, conversation: Conversation, message: Message) -> tuple[Message, bool]:
        """Store the message unless its sender already sent its ``client_msg_id`` here: the dedup marker first
        (conditional), then the message (conditional). Two single-item writes, not a transaction, which would
        count each twice; a send that stopped between them is completed by its retry, under the first
        attempt's id and time (and delivered then: the message is new to everyone)."""
        dedup_key = {"pk": _s(f"CONV#{conversation.id}"),
                     "sk": _s(f"DEDUP#{message.sender_id}#{message.client_msg_id}")}
        marker = dedup_key | {"message_id": _s(message.id), "created_at": _s(to_rfc3339(message.created_at))}
        claimed = conditional(lambda: self._client.put_item(TableName=self._table, Item=marker,
                                                            ConditionExpression="attribute_not_exists(pk)"))
        if claimed is None:
            earlier = self._call("get_item", Key=dedup_key, ConsistentRead=True).get("Item")
            if not earlier:  # the marker is never deleted: only a broken table gets here
                raise UpstreamUnavailableError("A message's dedup marker vanished; try again.")
            stored = self.message(conversation.id, earlier["message_id"]["S"])
            if stored is not None:
                return stored, False
            at = earlier.get("created_at", {}).get("S")
            message = replace(message, id=earlier["message_id"]["S"],
                              created_at=parse_rfc3339(at) if at else message.created_at)
        put = conditional(lambda: self._client.put_item(TableName=self._table, Item=_message_item(message),
                                                        ConditionExpression="attribute_not_exists(pk)"))
        if put is not None:
            return message, True
        # The same send, retried at the same moment, stored it first.
        stored = self.message(conversation.id, message.id)
        if stored is None:
            raise UpstreamUnavailableError("A message could not be stored; try again.")
        return stored, False

    def record_activity(self, conversation: Conversation, message: Message) -> None:
        """Latest activity, last message and the others' unread counts, once per message: one update of the
        conversation and one of each membership, in parallel, none in a transaction or an index. Each is
        conditional on the message being newer than the last it counted (ULIDs grow with time), so a repeat
        (a retried send) changes nothing and completes whatever a crash left undone."""
        activity = to_rfc3339(message.created_at)
        updates: list[dict[str, Any]] = [{
            "TableName": self._table, "Key": {"pk": _s(f"CONV#{conversation.id}"), "sk": _s("META")},
            "UpdateExpression": "SET last_activity_at = :at, last_message = :m, last_message_id = :id",
            "ConditionExpression": "attribute_not_exists(last_message_id) OR last_message_id < :id",
            "ExpressionAttributeValues": {":at": _s(activity), ":m": _s(_message_json(message)),
                                          ":id": _s(message.id)}}]
        for user_id in conversation.participant_ids:
            sent = user_id == message.sender_id
            # REMOVE: a membership written while the inbox was an index leaves it on its first update.
            updates.append({
                "TableName": self._table, "Key": {"pk": _s(f"USER#{user_id}"), "sk": _s(f"MEMBER#{conversation.id}")},
                "UpdateExpression": ("SET inbox = :inbox, last_counted = :id" if sent
                                     else "SET inbox = :inbox, last_counted = :id ADD unread_count :one")
                + " REMOVE gsi1pk, gsi1sk",
                "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(last_counted)"
                                       " OR last_counted < :id)",
                "ExpressionAttributeValues": {":inbox": _s(_inbox(activity, conversation.id)), ":id": _s(message.id)}
                | ({} if sent else {":one": _n(1)}),
            })
        list(_POOL.map(self._update_if, updates))

    def _update_if(self, update: dict[str, Any]) -> None:
        conditional(lambda: self._client.update_item(**update))

    def messages(self, conversation_id: str, *, limit: int, before: str | None) -> list[Message]:
        high = f"MSG#{before}" if before else "MSG#~"
        answer = self._call("query", KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
                            ExpressionAttributeValues={":pk": _s(f"CONV#{conversation_id}"), ":lo": _s("MSG#"),
                                                       ":hi": _s(high)},
                            ScanIndexForward=False, Limit=limit + 1)
        items = [i for i in answer.get("Items", []) if i["sk"]["S"] != high]
        return [_message_from(i, conversation_id) for i in items[:limit]]

    def message(self, conversation_id: str, message_id: str) -> Message | None:
        item = self._call("get_item", Key={"pk": _s(f"CONV#{conversation_id}"), "sk": _s(f"MSG#{message_id}")},
                          ConsistentRead=True).get("Item")
        return _message_from(item, conversation_id) if item else None

    def mark_read(self, conversation_id: str, user_id: str, up_to_message_id: str, *, newest: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table, Key={"pk": _s(f"USER#{user_id}"), "sk": _s(f"MEMBER#{conversation_id}")},
                UpdateExpression="SET last_read = :m, unread_count = :zero REMOVE gsi1pk, gsi1sk",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(last_read) OR last_read < :m"
                                    " OR last_read > :newest)",
                ExpressionAttributeValues={":m": _s(up_to_message_id), ":zero": _n(0), ":newest": _s(newest)})
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":  # an older receipt changes nothing
                raise translate(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise translate(exc, "DynamoDB") from exc

    def membership(self, conversation_id: str, user_id: str) -> Membership | None:
        item = self._call("get_item", Key={"pk": _s(f"USER#{user_id}"), "sk": _s(f"MEMBER#{conversation_id}")},
                          ConsistentRead=True).get("Item")
        if not item:
            return None
        return Membership(conversation_id, user_id, int(item["unread_count"]["N"]), item.get("last_read", {}).get("S"))

    def put_attachment(self, conversation_id: str, uploader_id: str, attachment: Attachment) -> None:
        self._call("put_item", Item={
            "pk": _s(f"CONV#{conversation_id}"), "sk": _s(f"ATT#{attachment.key}"), "kind": _s("attachment"),
            "uploader_id": _s(uploader_id), "filename": _s(attachment.filename),
            "content_type": _s(attachment.content_type), "size": _n(attachment.size)})

    def attachment(self, conversation_id: str, key: str) -> Attachment | None:
        item = self._call("get_item", Key={"pk": _s(f"CONV#{conversation_id}"), "sk": _s(f"ATT#{key}")},
                          ConsistentRead=True).get("Item")
        if not item:
            return None
        return Attachment(key=key, filename=item["filename"]["S"], content_type=item["content_type"]["S"],
                          size=int(item["size"]["N"]))

    def claim_quiet_period(self, user_id: str, conversation_id: str, seconds: int, now: int) -> bool:
        """Read first (half a read unit), write only when the period is over: a conditional write that fails
        is billed as a write, and most messages to an offline user fall inside a period already claimed."""
        key = {"pk": _s(f"USER#{user_id}"), "sk": _s(f"QUIET#{conversation_id}")}
        current = self._call("get_item", Key=key).get("Item")
        if current is not None and int(current["expires_at"]["N"]) > now:
            return False  # a stale read shows an earlier expiry, never a later one: the put below decides
        return conditional(lambda: self._client.put_item(
            TableName=self._table, Item=key | {"expires_at": _n(now + seconds)},
            ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
            ExpressionAttributeValues={":now": _n(now)})) is not None


def _connection_item(connection: Connection) -> dict[str, Any]:
    item = {"user_id": _s(connection.user_id), "connected_at": _n(connection.connected_at),
            "expires_at": _n(connection.expires_at), "generation": _n(connection.generation)}
    if connection.token_expires_at is not None:
        item["token_expires_at"] = _n(connection.token_expires_at)
    if connection.session_id is not None:
        item["session_id"] = _s(connection.session_id)
    return item


def _connection_from(connection_id: str, item: dict[str, Any]) -> Connection:
    token_expires_at = item.get("token_expires_at", {}).get("N")
    return Connection(connection_id, item["user_id"]["S"], int(item["connected_at"]["N"]), int(item["expires_at"]["N"]),
                      token_expires_at=int(token_expires_at) if token_expires_at is not None else None,
                      session_id=item.get("session_id", {}).get("S"),
                      generation=int(item.get("generation", {}).get("N", "0")))


class DynamoConnectionRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._owners: dict[str, Connection] = {}

    def add(self, connection: Connection) -> int:
        # The sweep closes a connection at the end of its lifetime or of its access token, whichever is first.
        closes_at = min(connection.expires_at, connection.token_expires_at or connection.expires_at)
        bucket = closes_at // CONNECTION_BUCKET_SECONDS
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": _connection_item(connection) | {
                    "pk": _s(f"CONN#{connection.id}"), "sk": _s("CONN"), "kind": _s("connection"),
                    "gsi2pk": _s(f"CONNEXP#{bucket}"), "gsi2sk": _s(f"{closes_at:012d}#{connection.id}")}}},
                {"Put": {"TableName": self._table, "Item": {
                    "pk": _s(f"USER#{connection.user_id}"), "sk": _s(f"CONN#{connection.id}"),
                    "expires_at": _n(connection.expires_at)}}},
            ])
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        return self.count(connection.user_id)

    def remove(self, connection_id: str) -> Connection | None:
        self._owners.pop(connection_id, None)
        try:
            old = self._client.delete_item(TableName=self._table, Key={"pk": _s(f"CONN#{connection_id}"),
                                                                      "sk": _s("CONN")},
                                           ReturnValues="ALL_OLD").get("Attributes")
            if not old:
                return None
            self._client.delete_item(TableName=self._table, Key={"pk": _s(f"USER#{old['user_id']['S']}"),
                                                                 "sk": _s(f"CONN#{connection_id}")})
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        return _connection_from(connection_id, old)

    def get(self, connection_id: str) -> Connection | None:
        # A connection id is never reused and its owner never changes: remember it.
        known = self._owners.get(connection_id)
        if known is not None:
            return known
        try:
            item = self._client.get_item(TableName=self._table, Key={"pk": _s(f"CONN#{connection_id}"),
                                                                     "sk": _s("CONN")}).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        if not item:
            return None
        found = _connection_from(connection_id, item)
        if len(self._owners) >= _CACHE_SIZE:
            self._owners.pop(next(iter(self._owners)))
        self._owners[connection_id] = found
        return found

    def _ids(self, user_id: str) -> list[str]:
        try:
            answer = self._client.query(TableName=self._table, ConsistentRead=True,
                                        KeyConditionExpression="pk = :pk AND begins_with(sk, :conn)",
                                        ExpressionAttributeValues={":pk": _s(f"USER#{user_id}"), ":conn": _s("CONN#")})
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        return [i["sk"]["S"][len("CONN#"):] for i in answer.get("Items", [])]

    def of_users(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        unique = list(dict.fromkeys(user_ids))
        if len(unique) <= 1:
            return {u: self._ids(u) for u in unique}
        return dict(zip(unique, _POOL.map(self._ids, unique), strict=True))

    def count(self, user_id: str) -> int:
        return len(self._ids(user_id))

    def expired(self, now: int, limit: int) -> list[Connection]:
        found: list[Connection] = []
        # Buckets of the last day up to now: API Gateway closes a connection after 2 hours at most.
        for bucket in range((now - 86400) // CONNECTION_BUCKET_SECONDS, now // CONNECTION_BUCKET_SECONDS + 1):
            try:
                answer = self._client.query(
                    TableName=self._table, IndexName="gsi2",
                    KeyConditionExpression="gsi2pk = :b AND gsi2sk < :now",
                    ExpressionAttributeValues={":b": _s(f"CONNEXP#{bucket}"), ":now": _s(f"{now:012d}#")},
                    Limit=limit)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, "DynamoDB") from exc
            for item in answer.get("Items", []):
                found.append(_connection_from(item["pk"]["S"][len("CONN#"):], item))
            if len(found) >= limit:
                break
        return found[:limit]


