"""Every frame the running socket sends matches docs/asyncapi.json (issue 19 item 2): two users on the local
gateway go through presence, a message, typing, a read receipt, a notification, ping and a refused frame, and
each frame received is validated against the document's schema for its ``type``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import jsonschema
import pytest
from gigconnect_client.api.applications import apply_to_gig
from gigconnect_client.api.gigs import create_gig
from gigconnect_client.models import ApplyRequest, CreateGigRequest

from infra.asyncapi import DOCUMENT
from tests.e2e.api import key, ok, sign_up_as, signed_in
from tests.e2e.test_chat_ws import connect, conversation_of

pytestmark = pytest.mark.e2e


def schema_for(document: dict[str, Any], frame_type: str) -> dict[str, Any]:
    """The document's payload schema of the message whose ``type`` is ``frame_type`` (refs kept resolvable)."""
    schemas = document["components"]["schemas"]
    for message in document["components"]["messages"].values():
        name = message["payload"]["$ref"].rsplit("/", 1)[1]
        if schemas[name]["properties"].get("type", {}).get("const") == frame_type:
            return {"$ref": message["payload"]["$ref"], "components": document["components"]}
    raise AssertionError(f"docs/asyncapi.json has no message of type {frame_type!r}")


def signup(runtime: Any, role: str) -> dict[str, Any]:
    session: dict[str, Any] = sign_up_as(runtime, role, "Doc", prefix="doc").session.to_dict()
    return session


def test_every_frame_the_socket_sends_matches_the_asyncapi_document(runtime: Any) -> None:
    document = json.loads(DOCUMENT.read_text())
    client, freelancer = signup(runtime, "client"), signup(runtime, "freelancer")
    conversation = conversation_of(runtime, client, freelancer)
    gig = ok(create_gig.sync_detailed(client=signed_in(runtime, client["access_token"]), idempotency_key=key(),
                                      body=CreateGigRequest.from_dict({
        "title": "Gaffer for a music video", "description": "One night in Yaba.", "category": "film-crew",
        "skills": ["lighting"], "budget": {"min": {"amount": 5_000_000, "currency": "NGN"},
                                           "max": {"amount": 9_000_000, "currency": "NGN"}, "type": "fixed"},
        "location": {"lat": 6.5, "lng": 3.37}, "remote": False, "urgency": "low"})), 201)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        c = await connect(runtime, client["access_token"])
        await asyncio.sleep(0.2)
        f = await connect(runtime, freelancer["access_token"])
        await c.wait_for(lambda x: x.get("type") == "presence")
        await c.send({"action": "sendMessage", "conversation_id": conversation["id"], "client_msg_id": "d1",
                      "body": "Are you free on Friday night?"})
        ack = await c.wait_for(lambda x: x.get("type") == "ack")
        await f.wait_for(lambda x: x.get("type") == "message")
        await f.send({"action": "typing", "conversation_id": conversation["id"]})
        await c.wait_for(lambda x: x.get("type") == "typing")
        await f.send({"action": "markRead", "conversation_id": conversation["id"],
                      "up_to_message_id": ack["message"]["id"]})
        await c.wait_for(lambda x: x.get("type") == "read")
        applied = apply_to_gig.sync_detailed(gig.id, client=signed_in(runtime, freelancer["access_token"]),
                                             body=ApplyRequest.from_dict({
            "cover_letter": "Yes, with my own lights.", "proposed_rate": {"amount": 7_000_000, "currency": "NGN"},
            "estimated_days": 1}))
        ok(applied, 201)
        await c.wait_for(lambda x: x.get("type") == "notification", timeout=30)
        await c.send({"action": "ping"})
        await c.wait_for(lambda x: x.get("type") == "pong")
        await c.send({"action": "sendMessage", "conversation_id": "not-a-conversation", "client_msg_id": "d2",
                      "body": "lost"})
        await c.wait_for(lambda x: x.get("type") == "error")
        await f.close()
        await c.wait_for(lambda x: x.get("type") == "presence" and x["online"] is False)
        await c.close()
        return c.frames, f.frames

    client_frames, freelancer_frames = asyncio.run(asyncio.wait_for(scenario(), 90))
    frames = client_frames + freelancer_frames
    for frame in frames:
        jsonschema.validate(frame, schema_for(document, frame["type"]))
    assert {f["type"] for f in frames} == {"presence", "ack", "message", "typing", "read", "notification", "pong",
                                           "error"}
