"""WebSocket handlers: ``$connect``, ``$default`` (dispatch on ``action``) and ``$disconnect``.

Frames to the client go through the management API (:class:`gigcore.ports.ConnectionNotifier`), as they
would on API Gateway. A malformed frame, an unknown action or a refused one gets an ``error`` frame and
the connection stays open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic

from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.schemas.chat import MarkReadFrame, SendMessageFrame, TypingFrame
from gigcore.schemas.errors import error_response
from gigcore.services import chat

Action = Callable[[str, dict[str, Any]], None]


def _ports() -> chat.ChatPorts:
    ports: chat.ChatPorts = bootstrap.container().chat_ports
    return ports


def _send(connection_id: str, frame: dict[str, Any]) -> None:
    bootstrap.container().connections.post(connection_id, frame)


def _error(connection_id: str, code: str, message: str, client_msg_id: Any = None) -> None:
    frame: dict[str, Any] = {"type": "error", "error": {"code": code, "message": message}}
    if isinstance(client_msg_id, str):
        frame["client_msg_id"] = client_msg_id
    _send(connection_id, frame)


def _ping(connection_id: str, frame: dict[str, Any]) -> None:
    _send(connection_id, {"type": "pong"})


def _send_message(connection_id: str, frame: dict[str, Any]) -> None:
    cmd = SendMessageFrame.model_validate(frame)
    ports = _ports()
    chat.send_message(chat.caller_of(connection_id, ports=ports), cmd.conversation_id, cmd.body, cmd.client_msg_id,
                      cmd.attachment_keys, ports=ports, policy=bootstrap.container().chat_policy, now=utc_now(),
                      from_connection=connection_id)


def _typing(connection_id: str, frame: dict[str, Any]) -> None:
    cmd = TypingFrame.model_validate(frame)
    ports = _ports()
    chat.typing(chat.caller_of(connection_id, ports=ports), cmd.conversation_id, ports=ports,
                from_connection=connection_id)


def _mark_read(connection_id: str, frame: dict[str, Any]) -> None:
    cmd = MarkReadFrame.model_validate(frame)
    ports = _ports()
    chat.mark_read(chat.caller_of(connection_id, ports=ports), cmd.conversation_id, cmd.up_to_message_id, ports=ports,
                   now=utc_now())


ACTIONS: dict[str, Action] = {"ping": _ping, "sendMessage": _send_message, "typing": _typing,
                              "markRead": _mark_read}


def on_connect(connection_id: str, query: dict[str, str] | None) -> bool:
    """True when the connection may open (a valid access token in ``?token=``)."""
    try:
        chat.connect((query or {}).get("token"), connection_id, ports=_ports(), now=utc_now())
    except Exception as exc:
        answer = error_response(exc)
        if answer.status >= 500:
            raise
        return False
    return True


def on_disconnect(connection_id: str) -> None:
    chat.disconnect(connection_id, ports=_ports())


def on_message(connection_id: str, body: str) -> None:
    try:
        frame = json.loads(body)
    except (ValueError, TypeError):
        _error(connection_id, "validation_error", "The frame is not valid JSON.")
        return
    if not isinstance(frame, dict):
        _error(connection_id, "validation_error", "The frame must be a JSON object.")
        return
    action = ACTIONS.get(str(frame.get("action")))
    if action is None:
        _error(connection_id, "validation_error", f"Unknown action {str(frame.get('action'))[:40]!r}.",
               frame.get("client_msg_id"))
        return
    try:
        action(connection_id, frame)
    except (pydantic.ValidationError, Exception) as exc:  # the one mapping decides what the client sees
        answer = error_response(exc)
        error = answer.body["error"]
        assert isinstance(error, dict)
        _error(connection_id, str(error["code"]), str(error["message"]), frame.get("client_msg_id"))
