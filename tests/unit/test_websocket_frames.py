"""Frames the WebSocket's ``$default`` handler cannot use get an ``error`` frame, never an exception."""

from __future__ import annotations

from typing import Any

import pytest

from gigcore import bootstrap


class Connections:
    """The management API's ``post_to_connection``, recorded."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def post(self, connection_id: str, frame: dict[str, Any]) -> None:
        self.sent.append((connection_id, frame))


@pytest.fixture
def sent():
    connections = Connections()
    bootstrap.container().__dict__["connections"] = connections
    yield connections.sent
    bootstrap.reset()


@pytest.mark.parametrize("frame", [
    "[" * 50_000 + "]" * 50_000,
    '{"action": "ping", "x": ' + "[" * 50_000 + "]" * 50_000 + "}",
    '{"action": "sendMessage", "body": ' + "[" * 200 + "]" * 200 + "}",
], ids=["arrays", "inside-an-action", "200-levels"])
def test_a_deeply_nested_frame_gets_an_error_frame(sent, frame):
    """Issue 16 item 2: a RecursionError escaped json.loads and the client was told nothing."""
    from chalicelib.websocket import on_message

    on_message("conn-1", frame)
    assert len(sent) == 1
    connection_id, answer = sent[0]
    assert connection_id == "conn-1" and answer["type"] == "error"
    assert answer["error"]["code"] == "validation_error" and "nested deeper" in answer["error"]["message"]


@pytest.mark.parametrize("frame, words", [("{not json", "not valid JSON"), ("[1, 2]", "JSON object")])
def test_a_frame_that_is_not_a_json_object_gets_an_error_frame(sent, frame, words):
    from chalicelib.websocket import on_message

    on_message("conn-2", frame)
    assert [f["type"] for _, f in sent] == ["error"] and words in sent[0][1]["error"]["message"]


def test_a_ping_still_gets_its_pong(sent, monkeypatch):
    from chalicelib.websocket import on_message
    from gigcore.domain.users import Principal
    from gigcore.services import chat

    monkeypatch.setattr(chat, "authorise_frame", lambda connection_id, **_: Principal(user_id="u1"))
    on_message("conn-3", '{"action": "ping"}')
    assert sent == [("conn-3", {"type": "pong"})]
