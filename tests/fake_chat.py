"""In-memory fakes of the chat ports (:mod:`gigcore.ports.chat`), held to the DynamoDB stores by
tests/integration/test_chat_store_contract.py and test_connection_store_contract.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gigcore.domain.chat import Attachment, Connection, Conversation, Membership, Message
from gigcore.domain.clock import to_rfc3339

CONNECTION_BUCKET_SECONDS = 3600


@dataclass
class _Member:
    unread: int = 0
    last_read: str | None = None
    last_counted: str | None = None
    #: Where the conversation stands in the member's inbox: ``<last activity>#<conversation id>``.
    position: str = ""


class FakeChatStore:
    """:class:`gigcore.ports.chat.ChatStore` in memory, with the DynamoDB store's rules: one conversation per
    1:1 pair and subject, one message per (sender, ``client_msg_id``) in a conversation, activity and unread
    counts applied once per message (never moved back by an older one), a read position that only moves
    forward (unless it stands beyond ``newest``), a quiet period claimed once per window, and an inbox page
    that names where the next starts whenever it is full."""

    def __init__(self) -> None:
        self.conversations: dict[str, Conversation] = {}
        self.pairs: dict[str, str] = {}
        self.members: dict[tuple[str, str], _Member] = {}
        self.messages_by_conversation: dict[str, dict[str, Message]] = {}
        self.dedup: dict[tuple[str, str, str], str] = {}
        self.last_message_ids: dict[str, str] = {}
        self.attachments: dict[tuple[str, str], Attachment] = {}
        self.quiet: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def create_conversation(self, conversation: Conversation, *, pair: str | None) -> Conversation:
        with self._lock:
            if pair is not None and pair in self.pairs:
                return self.conversations[self.pairs[pair]]
            if pair is not None:
                self.pairs[pair] = conversation.id
            self.conversations[conversation.id] = conversation
            position = f"{to_rfc3339(conversation.last_activity_at)}#{conversation.id}"
            for user_id in conversation.participant_ids:
                self.members[(user_id, conversation.id)] = _Member(position=position)
            return conversation

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        return self.conversations.get(conversation_id)

    def conversation_for_delivery(self, conversation_id: str) -> Conversation | None:
        return self.conversations.get(conversation_id)

    def conversations_of(self, user_id: str, *, limit: int, after: str | None) -> tuple[
            list[tuple[Conversation, Membership]], str | None]:
        mine = sorted(((m.position, cid, m) for (uid, cid), m in self.members.items() if uid == user_id),
                      reverse=True)
        if after is not None:
            start = json.loads(after)["position"]
            mine = [entry for entry in mine if entry[0] < start]
        page = mine[:limit]
        pairs = [(self.conversations[cid], Membership(cid, user_id, m.unread, m.last_read)) for _, cid, m in page]
        return pairs, (json.dumps({"position": page[-1][0]}) if page and len(page) == limit else None)

    def add_message(self, conversation: Conversation, message: Message) -> tuple[Message, bool]:
        with self._lock:
            key = (conversation.id, message.sender_id, message.client_msg_id)
            if key in self.dedup:
                return self.messages_by_conversation[conversation.id][self.dedup[key]], False
            self.dedup[key] = message.id
            self.messages_by_conversation.setdefault(conversation.id, {})[message.id] = message
            return message, True

    def record_activity(self, conversation: Conversation, message: Message) -> None:
        with self._lock:
            last = self.last_message_ids.get(conversation.id)
            if last is None or last < message.id:
                self.last_message_ids[conversation.id] = message.id
                self.conversations[conversation.id] = replace(
                    self.conversations[conversation.id], last_activity_at=message.created_at, last_message=message)
            for user_id in conversation.participant_ids:
                member = self.members.get((user_id, conversation.id))
                if member is None or (member.last_counted is not None and member.last_counted >= message.id):
                    continue
                member.position = f"{to_rfc3339(message.created_at)}#{conversation.id}"
                member.last_counted = message.id
                if user_id != message.sender_id:
                    member.unread += 1

    def messages(self, conversation_id: str, *, limit: int, before: str | None) -> list[Message]:
        stored = self.messages_by_conversation.get(conversation_id, {})
        ids = sorted((i for i in stored if before is None or i < before), reverse=True)
        return [stored[i] for i in ids[:limit]]

    def message(self, conversation_id: str, message_id: str) -> Message | None:
        return self.messages_by_conversation.get(conversation_id, {}).get(message_id)

    def mark_read(self, conversation_id: str, user_id: str, up_to_message_id: str, *, newest: str) -> None:
        member = self.members.get((user_id, conversation_id))
        if member is None:
            return
        if member.last_read is None or member.last_read < up_to_message_id or member.last_read > newest:
            member.last_read, member.unread = up_to_message_id, 0

    def membership(self, conversation_id: str, user_id: str) -> Membership | None:
        member = self.members.get((user_id, conversation_id))
        return None if member is None else Membership(conversation_id, user_id, member.unread, member.last_read)

    def put_attachment(self, conversation_id: str, uploader_id: str, attachment: Attachment) -> None:
        self.attachments[(conversation_id, attachment.key)] = attachment

    def attachment(self, conversation_id: str, key: str) -> Attachment | None:
        return self.attachments.get((conversation_id, key))

    def claim_quiet_period(self, user_id: str, conversation_id: str, seconds: int, now: int) -> bool:
        with self._lock:
            until = self.quiet.get((user_id, conversation_id))
            if until is not None and until > now:
                return False
            self.quiet[(user_id, conversation_id)] = now + seconds
            return True


class FakeConnectionStore:
    """:class:`gigcore.ports.chat.ConnectionStore` in memory. A connection is swept once it has passed its
    lifetime or its access token's expiry, whichever comes first, if that was within the last day."""

    def __init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self._lock = threading.Lock()

    def add(self, connection: Connection) -> int:
        with self._lock:
            self.connections[connection.id] = connection
            return self.count(connection.user_id)

    def remove(self, connection_id: str) -> Connection | None:
        with self._lock:
            return self.connections.pop(connection_id, None)

    def of_users(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        return {user_id: sorted(c.id for c in list(self.connections.values()) if c.user_id == user_id)
                for user_id in dict.fromkeys(user_ids)}

    def get(self, connection_id: str) -> Connection | None:
        return self.connections.get(connection_id)

    def count(self, user_id: str) -> int:
        return sum(1 for c in list(self.connections.values()) if c.user_id == user_id)

    def expired(self, now: int, limit: int) -> list[Connection]:
        def closes_at(c: Connection) -> int:
            return min(c.expires_at, c.token_expires_at or c.expires_at)

        oldest = (now - 86400) // CONNECTION_BUCKET_SECONDS * CONNECTION_BUCKET_SECONDS
        stale = [c for c in self.connections.values() if oldest <= closes_at(c) < now]
        return sorted(stale, key=lambda c: (closes_at(c) // CONNECTION_BUCKET_SECONDS, closes_at(c), c.id))[:limit]


class FakeObjectStore:
    """:class:`gigcore.ports.chat.ObjectStore` in memory: :meth:`upload` stands for the client's PUT."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[int, str]] = {}

    def presign_put(self, key: str, content_type: str, size: int, expires_in: int) -> str:
        return f"https://objects.example/{key}?put&expires={expires_in}"

    def presign_get(self, key: str, expires_in: int) -> str:
        return f"https://objects.example/{key}?get&expires={expires_in}"

    def head(self, key: str) -> tuple[int, str] | None:
        return self.objects.get(key)

    def upload(self, key: str, size: int, content_type: str) -> None:
        self.objects[key] = (size, content_type)
