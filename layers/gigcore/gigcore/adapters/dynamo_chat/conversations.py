"""Conversations and each user's memberships of them on the main table (docs/data-model.md, chat patterns).

- conversation: ``pk = CONV#<id>``, ``sk = META``: participants, latest activity and the last message;
- a pair's conversation: ``pk = CONVPAIR#<pair>``, ``sk = CONVPAIR`` (one conversation per pair and subject);
- membership: ``pk = USER#<user_id>``, ``sk = MEMBER#<conversation_id>``: the user's place in their inbox
  (``inbox = <last activity>#<conversation>``), unread count, last message read;
- quiet period of offline notifications: ``pk = USER#<user_id>``, ``sk = QUIET#<conversation_id>``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error, conditional
from gigcore.adapters.dynamo_chat.messages import message_from_json, message_json
from gigcore.adapters.dynamo_chat.pool import CACHE_SIZE, POOL
from gigcore.adapters.dynamo_table import DynamoTable, TransactionRefused, number, text
from gigcore.domain.chat import Conversation, Membership, Message
from gigcore.domain.clock import parse_rfc3339, to_rfc3339


def conversation_from(item: dict[str, Any]) -> Conversation:
    conversation_id = item["id"]["S"]
    last = message_from_json(item["last_message"]["S"], conversation_id) if "last_message" in item else None
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


class DynamoConversations(DynamoTable):
    """The conversations, inbox and read-receipt part of :class:`gigcore.ports.chat.ChatStore`."""

    def __init__(self, client: Any, table_name: str) -> None:
        super().__init__(client, table_name)
        self._participants: dict[str, Conversation] = {}

    def create_conversation(self, conversation: Conversation, *, pair: str | None) -> Conversation:
        activity = to_rfc3339(conversation.last_activity_at)
        item: dict[str, Any] = {
            "pk": text(f"CONV#{conversation.id}"), "sk": text("META"), "kind": text("conversation"),
            "id": text(conversation.id), "participants": {"L": [text(p) for p in conversation.participant_ids]},
            "created_at": text(to_rfc3339(conversation.created_at)), "last_activity_at": text(activity),
        }
        if conversation.gig_id:
            item["gig_id"] = text(conversation.gig_id)
        if conversation.contract_id:
            item["contract_id"] = text(conversation.contract_id)
        # Rare, and the pair's marker must exist exactly when the conversation does: one transaction.
        writes: list[dict[str, Any]] = [{"Put": {"TableName": self._table, "Item": item,
                                                 "ConditionExpression": "attribute_not_exists(pk)"}}]
        if pair is not None:
            writes.append({"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                                   "Item": {"pk": text(f"CONVPAIR#{pair}"), "sk": text("CONVPAIR"),
                                            "conversation_id": text(conversation.id)}}})
        for user_id in conversation.participant_ids:
            writes.append({"Put": {"TableName": self._table, "Item": {
                "pk": text(f"USER#{user_id}"), "sk": text(f"MEMBER#{conversation.id}"), "kind": text("member"),
                "conversation_id": text(conversation.id), "unread_count": number(0),
                "inbox": text(_inbox(activity, conversation.id))}}})
        try:
            self.transact(writes)
        except TransactionRefused as refused:
            if pair is not None and refused.condition_failed(1):  # the pair's conversation was made meanwhile
                found = self.find_pair(pair)
                if found:
                    return found
            raise refused.busy() from refused
        return conversation

    def find_pair(self, pair: str) -> Conversation | None:
        existing = self.item(f"CONVPAIR#{pair}", "CONVPAIR")
        return self.get_conversation(existing["conversation_id"]["S"]) if existing else None

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        item = self.item(f"CONV#{conversation_id}", "META")
        if not item:
            return None
        conversation = conversation_from(item)
        self._remember(conversation)
        return conversation

    def _remember(self, conversation: Conversation) -> None:
        if len(self._participants) >= CACHE_SIZE:
            self._participants.pop(next(iter(self._participants)))
        self._participants[conversation.id] = conversation

    def conversation_for_delivery(self, conversation_id: str) -> Conversation | None:
        """A conversation whose participants are known to this instance; participants never change, so
        a message or a receipt costs no read of the conversation after the first."""
        known = self._participants.get(conversation_id)
        return known if known is not None else self.get_conversation(conversation_id)

    def _members(self, user_id: str) -> list[dict[str, Any]]:
        """Every membership of the user (~150 bytes each: one read unit per ~25 conversations)."""
        return self.query_all(KeyConditionExpression="pk = :pk AND begins_with(sk, :member)",
                              ExpressionAttributeValues={":pk": text(f"USER#{user_id}"), ":member": text("MEMBER#")},
                              ConsistentRead=True)

    def _metas(self, conversation_ids: Sequence[str]) -> dict[str, Conversation]:
        keys = [{"pk": text(f"CONV#{c}"), "sk": text("META")} for c in conversation_ids]
        found: dict[str, Conversation] = {}
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {self._table: {"Keys": keys[start:start + 100]}}
            while request:
                try:
                    got = self._client.batch_get_item(RequestItems=request)
                except (ClientError, BotoCoreError) as exc:
                    raise as_domain_error(exc, "DynamoDB") from exc
                for item in got["Responses"].get(self._table, []):
                    conversation = conversation_from(item)
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

    def record_activity(self, conversation: Conversation, message: Message) -> None:
        """Latest activity, last message and the others' unread counts, once per message: one update of the
        conversation and one of each membership, in parallel, none in a transaction or an index. Each is
        conditional on the message being newer than the last it counted (ULIDs grow with time), so a repeat
        (a retried send) changes nothing and completes whatever a crash left undone."""
        activity = to_rfc3339(message.created_at)
        updates: list[dict[str, Any]] = [{
            "TableName": self._table, "Key": {"pk": text(f"CONV#{conversation.id}"), "sk": text("META")},
            "UpdateExpression": "SET last_activity_at = :at, last_message = :m, last_message_id = :id",
            "ConditionExpression": "attribute_not_exists(last_message_id) OR last_message_id < :id",
            "ExpressionAttributeValues": {":at": text(activity), ":m": text(message_json(message)),
                                          ":id": text(message.id)}}]
        for user_id in conversation.participant_ids:
            sent = user_id == message.sender_id
            # REMOVE: a membership written while the inbox was an index leaves it on its first update.
            updates.append({
                "TableName": self._table,
                "Key": {"pk": text(f"USER#{user_id}"), "sk": text(f"MEMBER#{conversation.id}")},
                "UpdateExpression": ("SET inbox = :inbox, last_counted = :id" if sent
                                     else "SET inbox = :inbox, last_counted = :id ADD unread_count :one")
                + " REMOVE gsi1pk, gsi1sk",
                "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(last_counted)"
                                       " OR last_counted < :id)",
                "ExpressionAttributeValues": {":inbox": text(_inbox(activity, conversation.id)),
                                              ":id": text(message.id)}
                | ({} if sent else {":one": number(1)}),
            })
        list(POOL.map(self._update_if, updates))

    def _update_if(self, update: dict[str, Any]) -> None:
        conditional(lambda: self._client.update_item(**update))

    def mark_read(self, conversation_id: str, user_id: str, up_to_message_id: str, *, newest: str) -> None:
        # An older receipt changes nothing: its condition fails, and that is no error.
        conditional(lambda: self._client.update_item(
            TableName=self._table, Key={"pk": text(f"USER#{user_id}"), "sk": text(f"MEMBER#{conversation_id}")},
            UpdateExpression="SET last_read = :m, unread_count = :zero REMOVE gsi1pk, gsi1sk",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(last_read) OR last_read < :m"
                                " OR last_read > :newest)",
            ExpressionAttributeValues={":m": text(up_to_message_id), ":zero": number(0), ":newest": text(newest)}))

    def membership(self, conversation_id: str, user_id: str) -> Membership | None:
        item = self.item(f"USER#{user_id}", f"MEMBER#{conversation_id}")
        if not item:
            return None
        return Membership(conversation_id, user_id, int(item["unread_count"]["N"]), item.get("last_read", {}).get("S"))

    def claim_quiet_period(self, user_id: str, conversation_id: str, seconds: int, now: int) -> bool:
        """Read first (half a read unit), write only when the period is over: a conditional write that fails
        is billed as a write, and most messages to an offline user fall inside a period already claimed."""
        key = {"pk": text(f"USER#{user_id}"), "sk": text(f"QUIET#{conversation_id}")}
        current = self.call("get_item", Key=key).get("Item")
        if current is not None and int(current["expires_at"]["N"]) > now:
            return False  # a stale read shows an earlier expiry, never a later one: the put below decides
        return conditional(lambda: self._client.put_item(
            TableName=self._table, Item=key | {"expires_at": number(now + seconds)},
            ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
            ExpressionAttributeValues={":now": number(now)})) is not None
