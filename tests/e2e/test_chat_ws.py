"""Chat over real WebSocket clients on the local gateway: two users with two devices each."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

import pytest
import websockets
from gigconnect_client.api.auth import log_out, reset_password
from gigconnect_client.api.chat import create_conversation, list_messages, send_message
from gigconnect_client.models import (
    CreateConversationRequest,
    RefreshRequest,
    ResetPasswordRequest,
    SendMessageRequest,
)

from tests.e2e.api import anonymous, ok, signed_in
from tests.e2e.conftest import signup_over_http

pytestmark = pytest.mark.e2e


class Device:
    """One connected app: collects frames as they arrive."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                self.frames.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self.frames:
                if predicate(frame):
                    return frame
            await asyncio.sleep(0.02)
        raise AssertionError(f"no such frame; got {self.frames}")

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("type") == kind]

    async def close(self) -> None:
        await self.socket.close()
        await self._reader


async def connect(runtime: Any, token: str) -> Device:
    return Device(await websockets.connect(f"{runtime.ws_url}/?token={token}"))


def conversation_of(runtime: Any, starter: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """A conversation between two signed-up users, started by ``starter`` over REST (the generated client)."""
    body = CreateConversationRequest(participant_ids=[other["user"]["id"]])
    answer = create_conversation.sync_detailed(client=signed_in(runtime, starter["access_token"]), body=body)
    conversation: dict[str, Any] = ok(answer, 201).to_dict()
    return conversation


def history_of(runtime: Any, reader: dict[str, Any], conversation: dict[str, Any], limit: int = 20) -> list[str]:
    """The bodies of a conversation's messages, newest first, as ``reader`` reads them over REST."""
    page = ok(list_messages.sync_detailed(conversation["id"], client=signed_in(runtime, reader["access_token"]),
                                          limit=limit))
    return [message.body for message in page.items]


def test_two_users_with_two_devices_each(runtime):
    alice, bob, stranger = signup_over_http(runtime), signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)

    async def scenario() -> None:
        a1 = await connect(runtime, alice["access_token"])
        a2 = await connect(runtime, alice["access_token"])
        await asyncio.sleep(0.2)
        b1 = await connect(runtime, bob["access_token"])
        # Bob's first connection makes him online for those who share a conversation with him.
        for device in (a1, a2):
            await device.wait_for(lambda f: f == {"type": "presence", "user_id": bob["user"]["id"], "online": True})
        b2 = await connect(runtime, bob["access_token"])
        await asyncio.sleep(0.2)

        for n in range(3):
            await a1.send({"action": "sendMessage", "conversation_id": conversation["id"],
                           "client_msg_id": f"m{n}", "body": f"take {n}"})
        for n in range(3):
            await a1.wait_for(lambda f, n=n: f.get("type") == "ack" and f["client_msg_id"] == f"m{n}")
        for device in (a2, b1, b2):
            await device.wait_for(lambda f: f.get("type") == "message" and f["message"]["body"] == "take 2")
            bodies = [f["message"]["body"] for f in device.of_type("message")]
            assert bodies == ["take 0", "take 1", "take 2"]  # in order, once each
        assert len(a1.of_type("ack")) == 3 and a1.of_type("message") == []

        # A repeated client_msg_id is acknowledged again and stored once.
        await a1.send({"action": "sendMessage", "conversation_id": conversation["id"], "client_msg_id": "m0",
                       "body": "take 0"})
        await a1.wait_for(lambda f: f.get("type") == "ack" and f["client_msg_id"] == "m0" and
                          len(a1.of_type("ack")) == 4)

        await b1.send({"action": "typing", "conversation_id": conversation["id"]})
        for device in (a1, a2):
            await device.wait_for(lambda f: f.get("type") == "typing" and f["user_id"] == bob["user"]["id"])
        assert b2.of_type("typing") == []

        last_id = a1.of_type("ack")[2]["message"]["id"]
        await b2.send({"action": "markRead", "conversation_id": conversation["id"], "up_to_message_id": last_id})
        for device in (a1, a2):
            await device.wait_for(lambda f: f.get("type") == "read" and f["up_to_message_id"] == last_id)

        # A stranger's socket is refused in the conversation and stays open.
        s1 = await connect(runtime, stranger["access_token"])
        await s1.send({"action": "sendMessage", "conversation_id": conversation["id"], "client_msg_id": "x",
                       "body": "let me in"})
        refused = await s1.wait_for(lambda f: f.get("type") == "error")
        assert refused["error"]["code"] == "forbidden" and refused["client_msg_id"] == "x"
        await s1.send({"action": "ping"})
        await s1.wait_for(lambda f: f == {"type": "pong"})

        # Dropping a device removes that connection only; Bob stays online through b1.
        await b2.close()
        await asyncio.sleep(0.3)
        await a1.send({"action": "sendMessage", "conversation_id": conversation["id"], "client_msg_id": "m9",
                       "body": "still there?"})
        await b1.wait_for(lambda f: f.get("type") == "message" and f["message"]["body"] == "still there?")
        assert not [f for f in a1.frames + a2.frames if f.get("type") == "presence" and f["online"] is False]
        await b1.close()
        for device in (a1, a2):
            await device.wait_for(lambda f: f == {"type": "presence", "user_id": bob["user"]["id"], "online": False})
        for device in (a1, a2, s1):
            await device.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))

    assert history_of(runtime, bob, conversation, limit=10) == ["still there?", "take 2", "take 1", "take 0"]


def test_a_gone_connection_is_removed_and_stale_ones_are_swept(runtime, stack_env):
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_chat import DynamoConnectionRepository
    from gigcore.domain.chat import Connection
    from gigcore.domain.clock import utc_now
    from gigcore.services.chat import sweep_stale_connections

    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)
    container = bootstrap.container()
    connections = DynamoConnectionRepository(container.dynamodb, container.settings.table_name)
    now = int(time.time())
    # Bob's phone lost its network: API Gateway never told us, so its connection is still stored.
    connections.add(Connection("ghost-phone", bob["user"]["id"], now, now + 7200))

    sent = send_message.sync_detailed(conversation["id"], client=signed_in(runtime, alice["access_token"]),
                                      body=SendMessageRequest(body="hello", client_msg_id="g1"))
    assert ok(sent, 201).body == "hello"
    assert DynamoConnectionRepository(container.dynamodb, container.settings.table_name).get("ghost-phone") is None

    # A connection past API Gateway's two-hour limit is swept by the schedule's handler.
    connections.add(Connection("expired-tablet", bob["user"]["id"], now - 8000, now - 800))
    assert connections.get("expired-tablet") is not None
    ports = container.chat_ports.__class__(**{**container.chat_ports.__dict__,
                                              "notifier": _gateway_notifier(runtime)})
    assert sweep_stale_connections(ports=ports, now=utc_now()) >= 1
    fresh = DynamoConnectionRepository(container.dynamodb, container.settings.table_name)  # no cached owners
    assert fresh.get("expired-tablet") is None


def test_a_listening_socket_whose_token_expired_is_swept(runtime, stack_env):
    """issue 16 item 11: a socket that only listens sends no frame to be refused; the sweep closes it."""
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_chat import DynamoConnectionRepository
    from gigcore.domain.chat import Connection
    from gigcore.domain.clock import utc_now
    from gigcore.services.chat import sweep_stale_connections

    bob = signup_over_http(runtime)
    container = bootstrap.container()
    connections = DynamoConnectionRepository(container.dynamodb, container.settings.table_name)
    now = int(time.time())
    connections.add(Connection("listening-tablet", bob["user"]["id"], now - 1000, now + 6200,
                               token_expires_at=now - 100, session_id="f", generation=0))
    connections.add(Connection("fresh-phone", bob["user"]["id"], now, now + 7200, token_expires_at=now + 900,
                               session_id="f", generation=0))
    ports = container.chat_ports.__class__(**{**container.chat_ports.__dict__,
                                              "notifier": _gateway_notifier(runtime)})
    sweep_stale_connections(ports=ports, now=utc_now())
    fresh = DynamoConnectionRepository(container.dynamodb, container.settings.table_name)
    assert fresh.get("listening-tablet") is None
    assert fresh.get("fresh-phone") is not None
    connections.remove("fresh-phone")


def _gateway_notifier(runtime):
    import boto3

    from gigcore.adapters.websocket import ApiGatewayConnectionNotifier

    return ApiGatewayConnectionNotifier(boto3.client(
        "apigatewaymanagementapi", endpoint_url=f"http://127.0.0.1:{runtime.ws_port}", region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local"))


def test_an_expired_or_tampered_token_is_refused_at_connect(runtime, stack_env):
    import jwt

    session = signup_over_http(runtime)
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    expired = jwt.encode(claims | {"exp": int(time.time()) - 5}, stack_env["GIGCONNECT_JWT_SECRET"],
                         algorithm="HS256")
    tampered = jwt.encode(claims, "another-key-of-at-least-32-bytes-long!", algorithm="HS256")

    async def status(token: str) -> int:
        try:
            async with websockets.connect(f"{runtime.ws_url}/?token={token}"):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(status(expired)) == 403
    assert asyncio.run(status(tampered)) == 403
    assert asyncio.run(status(session["access_token"])) == 101


def test_messages_on_a_socket_are_rate_limited_per_user(runtime):
    """issue 16 item 11: 100 sendMessage frames in 1.7 s were all accepted and stored."""
    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)

    took: list[float] = []

    async def scenario() -> None:
        device = await connect(runtime, alice["access_token"])
        started = time.monotonic()
        for n in range(40):
            await device.send({"action": "sendMessage", "conversation_id": conversation["id"],
                               "client_msg_id": f"burst-{n}", "body": f"burst {n}"})
        await device.wait_for(lambda f: len([g for g in device.frames if g.get("type") in ("ack", "error")]) == 40,
                              timeout=30)
        took.append(time.monotonic() - started)
        limited = [f for f in device.frames if f.get("type") == "error"]
        assert limited, "no frame was refused"
        assert all(f["error"]["code"] == "rate_limited" and f["error"]["retry_after"] >= 1 for f in limited)
        assert all(f["client_msg_id"].startswith("burst-") for f in limited)
        # The socket stays open and usable.
        await device.send({"action": "ping"})
        await device.wait_for(lambda f: f == {"type": "pong"})
        await device.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))
    stored = len(history_of(runtime, bob, conversation, limit=100))
    # The burst of 20, and what refilled while the frames were handled (2 a second: a loaded machine is slower).
    assert stored < 40 and stored <= 20 + 2 * math.ceil(took[0]) + 1


def _refused_and_closed(runtime: Any, token: str, conversation_id: str, before_frame: Any) -> dict[str, Any]:
    async def scenario() -> dict[str, Any]:
        device = await connect(runtime, token)
        await device.send({"action": "ping"})
        await device.wait_for(lambda f: f == {"type": "pong"})
        await before_frame()
        await device.send({"action": "sendMessage", "conversation_id": conversation_id, "client_msg_id": "late",
                           "body": "after the session ended"})
        refused = await device.wait_for(lambda f: f.get("type") == "error")
        await asyncio.wait_for(device._reader, 10)  # the server closed the socket
        return refused

    return asyncio.run(asyncio.wait_for(scenario(), 60))


def test_a_socket_is_refused_and_closed_after_logout(runtime):
    """issue 16 item 11: a socket kept sending after its session was closed."""
    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)

    async def logout() -> None:
        answer = log_out.sync_detailed(client=signed_in(runtime, alice["access_token"]),
                                       body=RefreshRequest(refresh_token=alice["refresh_token"]))
        assert answer.status_code == 204

    refused = _refused_and_closed(runtime, alice["access_token"], conversation["id"], logout)
    assert refused["error"]["code"] == "unauthorized" and refused["client_msg_id"] == "late"
    assert history_of(runtime, bob, conversation) == []

    # The same access token no longer opens a socket either.
    async def status() -> int:
        try:
            async with websockets.connect(f"{runtime.ws_url}/?token={alice['access_token']}"):
                return 101
        except websockets.InvalidStatus as no:
            return no.response.status_code

    assert asyncio.run(status()) == 403


def test_a_socket_is_refused_and_closed_after_a_password_reset(runtime, stack_env):
    import secrets

    from gigcore import bootstrap
    from gigcore.services.auth import RESET, token_hash

    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)
    reset_token = secrets.token_urlsafe(32)  # as the reset email would carry it
    bootstrap.container().one_time_tokens.put(RESET, token_hash(reset_token), alice["user"]["id"],
                                              int(time.time()) + 600)

    async def reset() -> None:
        answer = reset_password.sync_detailed(client=anonymous(runtime), body=ResetPasswordRequest(
            token=reset_token, new_password="a brand new secret"))
        assert answer.status_code == 204, answer.content

    refused = _refused_and_closed(runtime, alice["access_token"], conversation["id"], reset)
    assert refused["error"]["code"] == "unauthorized"


def test_a_socket_is_refused_and_closed_once_its_access_token_expires(runtime, stack_env):
    import jwt

    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)
    claims = jwt.decode(alice["access_token"], options={"verify_signature": False})
    short = jwt.encode(claims | {"exp": int(time.time()) + 2}, stack_env["GIGCONNECT_JWT_SECRET"], algorithm="HS256")

    async def wait_past_expiry() -> None:
        await asyncio.sleep(3)

    refused = _refused_and_closed(runtime, short, conversation["id"], wait_past_expiry)
    assert refused["error"]["code"] == "unauthorized" and "expired" in refused["error"]["message"]


def test_a_receipt_for_a_message_not_in_the_conversation_gets_an_error_frame(runtime):
    """issue 16 item 10, on the socket."""
    alice, bob = signup_over_http(runtime), signup_over_http(runtime)
    conversation = conversation_of(runtime, alice, bob)

    async def scenario() -> None:
        device = await connect(runtime, bob["access_token"])
        await device.send({"action": "markRead", "conversation_id": conversation["id"],
                           "up_to_message_id": "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"})
        refused = await device.wait_for(lambda f: f.get("type") == "error")
        assert refused["error"]["code"] == "validation_error", refused
        assert "message of this conversation" in refused["error"]["message"], refused
        await device.close()

    asyncio.run(asyncio.wait_for(scenario(), 30))
