"""WebSocket handlers: ``$connect``, ``$default`` (dispatch on ``action``) and ``$disconnect``.

Frames to the client go through the management API (:class:`gigcore.ports.ConnectionNotifier`), as they
would on API Gateway. A malformed frame, an unknown action or a refused one gets an ``error`` frame and
the connection stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pydantic

from chalicelib.clock import now
from chalicelib.imports import on_first_use
from gigcore import bootstrap
from gigcore.domain.errors import MalformedRequestError, UnauthorizedError
from gigcore.domain.users import Principal
from gigcore.schemas.chat import MarkReadFrame, SendMessageFrame, TypingFrame
from gigcore.schemas.errors import error_response
from gigcore.schemas.json_input import load_object

if TYPE_CHECKING:
    from gigcore.services import chat
else:
    chat = on_first_use("gigcore.services.chat")


Action = Callable[[str, Principal, dict[str, Any]], None]


def _ports() -> chat.ChatPorts:
    return bootstrap.container().chat_ports


def _policy() -> chat.ChatPolicy:
    return bootstrap.container().chat_policy


def _send(connection_id: str, frame: dict[str, Any]) -> None:
    bootstrap.container().connections.post(connection_id, frame)


def _error(connection_id: str, code: str, message: str, client_msg_id: Any = None,
           retry_after: str | None = None) -> None:
    error: dict[str, Any] = {"code": code, "message": message}
    if retry_after is not None and retry_after.isdigit():
        error["retry_after"] = int(retry_after)  # seconds, as the REST answer's Retry-After header
    frame: dict[str, Any] = {"type": "error", "error": error}
    if isinstance(client_msg_id, str):
        frame["client_msg_id"] = client_msg_id
    _send(connection_id, frame)


def _ping(connection_id: str, caller: Principal, frame: dict[str, Any]) -> None:
    _send(connection_id, {"type": "pong"})


def _send_message(connection_id: str, caller: Principal, frame: dict[str, Any]) -> None:
    cmd = SendMessageFrame.model_validate(frame)
    chat.send_message(caller, cmd.conversation_id, cmd.body, cmd.client_msg_id, cmd.attachment_keys, ports=_ports(),
                      policy=_policy(), now=now(), from_connection=connection_id)


def _typing(connection_id: str, caller: Principal, frame: dict[str, Any]) -> None:
    cmd = TypingFrame.model_validate(frame)
    chat.typing(caller, cmd.conversation_id, ports=_ports(), from_connection=connection_id)


def _mark_read(connection_id: str, caller: Principal, frame: dict[str, Any]) -> None:
    cmd = MarkReadFrame.model_validate(frame)
    chat.mark_read(caller, cmd.conversation_id, cmd.up_to_message_id, ports=_ports(), now=now())


ACTIONS: dict[str, Action] = {"ping": _ping, "sendMessage": _send_message, "typing": _typing,
                              "markRead": _mark_read}


def _caller(connection_id: str, frame: dict[str, Any]) -> Principal | None:
    """The caller of a frame, or None after refusing it: a connection whose access token expired or whose
    session ended (logout, password reset) gets an ``unauthorized`` error frame and is closed."""
    ports = _ports()
    try:
        return chat.authorise_frame(connection_id, ports=ports, policy=_policy(), now=now())
    except UnauthorizedError as exc:
        _error(connection_id, exc.code, exc.message, frame.get("client_msg_id"))
        chat.end_connection(connection_id, ports=ports)
        return None
    except Exception as exc:  # a dependency down: the client hears it, the connection stays
        _refuse(connection_id, exc, frame)
        return None


def _refuse(connection_id: str, exc: Exception, frame: dict[str, Any]) -> None:
    """An error frame for ``exc``, as the one error mapping words it."""
    answer = error_response(exc)
    error = answer.body["error"]
    assert isinstance(error, dict)
    _error(connection_id, str(error["code"]), str(error["message"]), frame.get("client_msg_id"),
           answer.headers.get("Retry-After"))


def on_connect(connection_id: str, query: dict[str, str] | None) -> bool:
    """True when the connection may open (a valid access token in ``?token=``)."""
    try:
        chat.connect((query or {}).get("token"), connection_id, ports=_ports(), now=now())
    except Exception as exc:
        answer = error_response(exc)
        if answer.status >= 500:
            raise
        return False
    return True


def on_disconnect(connection_id: str) -> None:
    chat.disconnect(connection_id, ports=_ports())


def on_message(connection_id: str, body: str) -> None:
    try:  # not JSON, nested deeper than any frame, or not an object (never a RecursionError)
        frame = load_object(body or "", what="The frame")
    except MalformedRequestError as exc:
        _error(connection_id, exc.code, exc.message)
        return
    caller = _caller(connection_id, frame)
    if caller is None:
        return
    action = ACTIONS.get(str(frame.get("action")))
    if action is None:
        _error(connection_id, "validation_error", f"Unknown action {str(frame.get('action'))[:40]!r}.",
               frame.get("client_msg_id"))
        return
    try:
        action(connection_id, caller, frame)
    except (pydantic.ValidationError, Exception) as exc:  # the one mapping decides what the client sees
        _refuse(connection_id, exc, frame)
