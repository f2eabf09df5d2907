"""The WebSocket API's frames as models: what a client sends (``action``) and what it is sent (``type``).

The client's frames are the ones the socket handler validates (:mod:`gigcore.schemas.chat`); the frames to
the client are described here so that the AsyncAPI document (``docs/asyncapi.json``, written by
``python -m infra.asyncapi``) comes from models, and tests/e2e/test_socket_document.py checks the frames the
running socket sends against that document.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gigcore.schemas.chat import MarkReadFrame, MessageOut, SendMessageFrame, TypingFrame
from gigcore.schemas.common import RequestModel, ResponseModel
from gigcore.schemas.notifications import NotificationOut


class PingFrame(RequestModel):
    """Keeps the connection alive through idle timeouts; answered with ``pong``."""

    action: Literal["ping"]


class AckFrame(ResponseModel):
    """To the sender, once the message is stored (also for a repeated ``client_msg_id``: the stored message)."""

    type: Literal["ack"]
    client_msg_id: str
    message: MessageOut


class MessageFrame(ResponseModel):
    """A new message, to every other connected device of every participant (and the sender's other devices)."""

    type: Literal["message"]
    message: MessageOut


class TypingNoticeFrame(ResponseModel):
    """Someone in the conversation is typing (to the other participants)."""

    type: Literal["typing"]
    conversation_id: str
    user_id: str


class ReadFrame(ResponseModel):
    """Someone read the conversation up to a message (to the other participants)."""

    type: Literal["read"]
    conversation_id: str
    user_id: str
    up_to_message_id: str


class PresenceFrame(ResponseModel):
    """A user who shares a conversation with you came online (first device) or went offline (last one)."""

    type: Literal["presence"]
    user_id: str
    online: bool


class NotificationFrame(ResponseModel):
    """A notification for the connected user, as ``GET /me/notifications`` lists it."""

    type: Literal["notification"]
    notification: NotificationOut


class PongFrame(ResponseModel):
    """The answer to ``ping``."""

    type: Literal["pong"]


class SocketError(BaseModel):
    """The REST error's code and message; ``retry_after`` (seconds) with ``rate_limited``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(examples=["rate_limited"])
    message: str
    retry_after: int | None = Field(default=None, ge=0,
                                    json_schema_extra={"description": "present with rate_limited only"})


class ErrorFrame(ResponseModel):
    """A frame was refused; ``client_msg_id`` names the ``sendMessage`` it answers, when it had one. After an
    ``unauthorized`` error (access token expired, session ended) the server closes the connection."""

    # Written without client_msg_id when the refused frame had none: not every field is always there.
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    type: Literal["error"]
    error: SocketError
    client_msg_id: str | None = Field(default=None,
                                      json_schema_extra={"description": "present when the refused frame had one"})


#: What a client may send, by ``action``.
CLIENT_FRAMES: tuple[type[BaseModel], ...] = (SendMessageFrame, TypingFrame, MarkReadFrame, PingFrame)
#: What the server sends, by ``type``.
SERVER_FRAMES: tuple[type[BaseModel], ...] = (AckFrame, MessageFrame, TypingNoticeFrame, ReadFrame, PresenceFrame,
                                              NotificationFrame, PongFrame, ErrorFrame)
ClientFrame = Annotated[SendMessageFrame | TypingFrame | MarkReadFrame | PingFrame, Field(discriminator="action")]
