"""WebSocket handlers: ``$connect``, ``$default`` (dispatch on ``action``) and ``$disconnect``.

Frames to the client go through the management API (:class:`gigcore.ports.ConnectionNotifier`), as
they would on API Gateway; a malformed frame or an unknown action gets an ``error`` frame and the
connection stays open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gigcore import bootstrap

Action = Callable[[str, dict[str, Any]], None]


def _send(connection_id: str, frame: dict[str, Any]) -> None:
    bootstrap.container().connections.post(connection_id, frame)


def _error(connection_id: str, code: str, message: str, client_msg_id: Any = None) -> None:
    frame: dict[str, Any] = {"type": "error", "error": {"code": code, "message": message}}
    if isinstance(client_msg_id, str):
        frame["client_msg_id"] = client_msg_id
    _send(connection_id, frame)


def _ping(connection_id: str, frame: dict[str, Any]) -> None:
    _send(connection_id, {"type": "pong"})


#: Actions of ``$default``; the chat issue adds sendMessage, typing and markRead here.
ACTIONS: dict[str, Action] = {"ping": _ping}


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
    action(connection_id, frame)
