"""The committed AsyncAPI document (docs/asyncapi.json) is generated from the socket's models and covers every
action the socket handler dispatches and every frame type it sends (issue 19 item 2)."""

from __future__ import annotations

import json
import typing

from chalicelib.websocket import ACTIONS
from gigcore.schemas.socket import CLIENT_FRAMES, SERVER_FRAMES
from infra import asyncapi


def literal(model: type, field: str) -> str:
    (value,) = typing.get_args(model.model_fields[field].annotation)  # type: ignore[attr-defined]
    return str(value)


def test_the_committed_document_is_what_the_models_generate() -> None:
    # `python -m infra.asyncapi` writes it; a stale copy fails here with the command to run
    assert asyncapi.DOCUMENT.read_text() == asyncapi.render(), "run `python -m infra.asyncapi`"


def test_every_action_the_socket_dispatches_is_a_documented_operation_the_server_receives() -> None:
    document = json.loads(asyncapi.DOCUMENT.read_text())
    received = {name for name, op in document["operations"].items() if op["action"] == "receive"}
    assert received == set(ACTIONS) == {literal(m, "action") for m in CLIENT_FRAMES}


def test_every_frame_type_is_a_documented_message_the_server_sends() -> None:
    document = json.loads(asyncapi.DOCUMENT.read_text())
    schemas = document["components"]["schemas"]
    sent = {op["messages"][0]["$ref"].rsplit("/", 1)[1] for op in document["operations"].values()
            if op["action"] == "send"}
    types = {schemas[document["components"]["messages"][name]["payload"]["$ref"].rsplit("/", 1)[1]]
             ["properties"]["type"]["const"] for name in sent}
    assert types == {literal(m, "type") for m in SERVER_FRAMES} == {
        "ack", "message", "typing", "read", "presence", "notification", "pong", "error"}
