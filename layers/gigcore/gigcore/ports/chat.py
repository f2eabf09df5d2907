"""Ports of the chat area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gigcore.domain.chat import Attachment, Connection, Conversation, Membership, Message


class ChatStore(Protocol):
    """Conversations, their messages, members' read positions, attachments and quiet periods: records written
    and read one by one (a Store; no aggregate is loaded and saved whole). One in-memory fake
    (tests/fake_chat.py) is held to the DynamoDB store by tests/integration/test_chat_store_contract.py."""

    def create_conversation(self, conversation: Conversation, *, pair: str | None) -> Conversation:
        """Store a new conversation and its members; for a 1:1 (``pair`` set) return the existing one
        if the same pair and subject already have a conversation."""

    def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    def conversation_for_delivery(self, conversation_id: str) -> Conversation | None:
        """The conversation for authorising and fanning out (participants only; may be cached)."""

    def conversations_of(self, user_id: str, *, limit: int, after: str | None) -> tuple[
            list[tuple[Conversation, Membership]], str | None]:
        """The user's conversations, latest activity first, and the position after the page."""

    def add_message(self, conversation: Conversation, message: Message) -> tuple[Message, bool]:
        """Store ``message`` unless the sender already sent ``client_msg_id`` here; returns (the stored
        message, whether it is new)."""

    def record_activity(self, conversation: Conversation, message: Message) -> None:
        """Bump the conversation's activity and last message and the others' unread counts; idempotent."""

    def messages(self, conversation_id: str, *, limit: int, before: str | None) -> list[Message]:
        """Newest first, strictly older than the message id ``before``."""

    def message(self, conversation_id: str, message_id: str) -> Message | None:
        """One stored message of the conversation, or None."""

    def mark_read(self, conversation_id: str, user_id: str, up_to_message_id: str, *, newest: str) -> None:
        """Move the reader's position forward to ``up_to_message_id`` and zero their unread count. A stored
        position above ``newest`` (no message can have it: a receipt stored before receipts were checked) is
        replaced, so it cannot hold the position for good."""

    def membership(self, conversation_id: str, user_id: str) -> Membership | None: ...

    def put_attachment(self, conversation_id: str, uploader_id: str, attachment: Attachment) -> None: ...

    def attachment(self, conversation_id: str, key: str) -> Attachment | None: ...

    def claim_quiet_period(self, user_id: str, conversation_id: str, seconds: int, now: int) -> bool:
        """True once per ``seconds`` per (user, conversation): offline notifications are not per message."""


class ConnectionStore(Protocol):
    """Open WebSocket connections (records with a lifetime, not aggregates)."""

    def add(self, connection: Connection) -> int:
        """Store a connection; returns how many the user now has."""

    def remove(self, connection_id: str) -> Connection | None:
        """Delete one connection (the stale one only); returns it, or None if already gone."""

    def of_users(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        """Open connection ids of each user."""

    def get(self, connection_id: str) -> Connection | None: ...

    def count(self, user_id: str) -> int: ...

    def expired(self, now: int, limit: int) -> list[Connection]:
        """Connections past their lifetime or their access token's expiry (for the sweep)."""


class ObjectStore(Protocol):
    def presign_put(self, key: str, content_type: str, size: int, expires_in: int) -> str: ...

    def presign_get(self, key: str, expires_in: int) -> str: ...

    def head(self, key: str) -> tuple[int, str] | None:
        """(size, content type) of an uploaded object, or None when nothing was uploaded."""
