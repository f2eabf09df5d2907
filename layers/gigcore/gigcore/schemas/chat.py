"""Request and response models of conversations and chat, and the socket frames: what docs/openapi.json and
docs/asyncapi.json describe (docs/chat.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gigcore.domain.chat import ALLOWED_CONTENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_BODY_CHARS, MAX_PARTICIPANTS
from gigcore.schemas.common import (
    CursorText,
    Limit,
    QueryModel,
    RequestModel,
    ResponseModel,
    Timestamp,
    Url,
    WholeNumber,
    text,
)

Id = Annotated[str, text(1, 64)]
ClientMsgId = Annotated[str, text(1, 128)]
Keys = Annotated[list[Annotated[str, text(1, 512)]], Field(max_length=10)]


class CreateConversationRequest(RequestModel):
    participant_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_PARTICIPANTS)]
    contract_id: Id | None = None
    gig_id: Id | None = None


class SendMessageRequest(RequestModel):
    body: Annotated[str, Field(max_length=MAX_BODY_CHARS)] = ""
    client_msg_id: ClientMsgId
    attachment_keys: Keys = []


class AttachmentRequest(RequestModel):
    filename: Annotated[str, text(1, 255)]
    content_type: Annotated[str, Field(json_schema_extra={"enum": sorted(ALLOWED_CONTENT_TYPES)},
                                       description="One of the allowed types")]
    size: Annotated[int, Field(gt=0, le=MAX_ATTACHMENT_BYTES, description="Bytes"), WholeNumber]


class ReadRequest(RequestModel):
    up_to_message_id: Id


class HistoryQuery(QueryModel):
    before: CursorText | None = Field(default=None, description="next_cursor of the previous page")
    limit: Limit = 20


class ListQuery(QueryModel):
    cursor: CursorText | None = Field(default=None, description="next_cursor of the previous page")
    limit: Limit = 20


class AttachmentOut(ResponseModel):
    key: str
    filename: str
    content_type: str
    size: int
    download_url: Url


class MessageOut(ResponseModel):
    id: str
    conversation_id: str
    sender_id: str
    body: str
    attachments: list[AttachmentOut]
    client_msg_id: str
    created_at: Timestamp


class ConversationOut(ResponseModel):
    id: str
    participant_ids: list[str]
    gig_id: str | None = None
    contract_id: str | None = None
    created_at: Timestamp
    last_activity_at: Timestamp
    unread_count: int = 0
    last_message: MessageOut | None = None


class ConversationPage(ResponseModel):
    items: list[ConversationOut]
    next_cursor: str | None = None


class MessagePage(ResponseModel):
    items: list[MessageOut]
    next_cursor: str | None = None


class UploadOut(ResponseModel):
    attachment_key: str
    upload_url: Url
    expires_in: int


# ---- socket frames from the client -------------------------------------------------------------


class SendMessageFrame(RequestModel):
    action: Literal["sendMessage"]
    conversation_id: Id
    client_msg_id: ClientMsgId
    body: Annotated[str, Field(max_length=MAX_BODY_CHARS)] = ""
    attachment_keys: Keys = []


class TypingFrame(RequestModel):
    action: Literal["typing"]
    conversation_id: Id


class MarkReadFrame(RequestModel):
    action: Literal["markRead"]
    conversation_id: Id
    up_to_message_id: Id
