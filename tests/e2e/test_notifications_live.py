"""A connected user also gets each notification live, as a `notification` frame on the socket."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from gigcore import bootstrap
from gigcore.domain.ids import new_id
from tests.e2e.conftest import signup_over_http

pytestmark = pytest.mark.e2e


def test_a_notification_arrives_on_the_open_socket(runtime, stack_env):
    session = signup_over_http(runtime)

    async def scenario() -> dict:
        async with websockets.connect(f"{runtime.ws_url}/?token={session['access_token']}") as socket:
            await asyncio.sleep(0.2)
            bootstrap.container().queue.send("notifications", {
                "id": new_id(), "type": "application.accepted",
                "payload": {"user_id": session["user"]["id"], "gig_title": "Focus puller", "gig_id": "G1"}})
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 20))
                if frame.get("type") == "notification":
                    return frame

    frame = asyncio.run(scenario())
    notification = frame["notification"]
    assert notification["type"] == "application.accepted" and "Focus puller" in notification["body"]
    assert notification["data"] == {"gig_id": "G1"} and notification["read"] is False
