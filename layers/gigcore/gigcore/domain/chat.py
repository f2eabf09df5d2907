"""Conversations, messages, attachments and connections (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from gigcore.domain.errors import ErrorDetail, ValidationError

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_PARTICIPANTS = 50
MAX_BODY_CHARS = 4000
#: What may be attached: images, PDFs and common office documents, audio and short video.
ALLOWED_CONTENT_TYPES = frozenset({
    "image/jpeg", "image/png", "image/webp", "image/gif", "image/heic",
    "application/pdf", "text/plain",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "audio/mpeg", "audio/mp4", "video/mp4", "video/quicktime",
})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Attachment:
    key: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    sender_id: str
    body: str
    client_msg_id: str
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    participant_ids: tuple[str, ...]
    created_at: datetime
    last_activity_at: datetime
    gig_id: str | None = None
    contract_id: str | None = None
    last_message: Message | None = None

    def has(self, user_id: str) -> bool:
        return user_id in self.participant_ids

    def others(self, user_id: str) -> tuple[str, ...]:
        return tuple(p for p in self.participant_ids if p != user_id)


@dataclass(frozen=True)
class Membership:
    """A participant's view of a conversation: unread count and read position."""

    conversation_id: str
    user_id: str
    unread_count: int = 0
    last_read_message_id: str | None = None


@dataclass(frozen=True)
class Connection:
    """An open WebSocket. ``expires_at`` is API Gateway's two-hour limit; the other fields come from the access
    token it connected with, and every frame is checked against them (docs/chat.md)."""

    id: str
    user_id: str
    connected_at: int
    expires_at: int
    #: When the access token of ``$connect`` expires (None: not recorded, for connections stored before).
    token_expires_at: int | None = None
    #: The session (refresh-token family) of that token, and the user's session generation when it was issued.
    session_id: str | None = None
    generation: int = 0


def pair_key(participants: tuple[str, ...], gig_id: str | None, contract_id: str | None) -> str:
    """The identity of a 1:1 conversation: the pair and its subject."""
    first, second = sorted(participants)
    return f"{first}#{second}#{gig_id or '-'}#{contract_id or '-'}"


def check_attachment(filename: str, content_type: str, size: int) -> None:
    problems = []
    if content_type not in ALLOWED_CONTENT_TYPES:
        problems.append(ErrorDetail(field="content_type", issue="not an allowed type"))
    if size <= 0 or size > MAX_ATTACHMENT_BYTES:
        problems.append(ErrorDetail(field="size", issue=f"must be 1..{MAX_ATTACHMENT_BYTES} bytes"))
    if not filename.strip():
        problems.append(ErrorDetail(field="filename", issue="required"))
    if problems:
        raise ValidationError("The attachment is not accepted.", details=problems)


def safe_filename(filename: str) -> str:
    cleaned = _UNSAFE.sub("_", filename.strip()).strip("._") or "file"
    return cleaned[:120]
