"""Deeply nested JSON over the real gateways: a 400 in the error shape, and an error frame on the socket.

Issue 16 item 2: 50,000 levels of ``[`` answered 500 on every JSON-body route and the socket said nothing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.conftest import signup_over_http

pytestmark = pytest.mark.e2e

DEEP = "[" * 50_000 + "]" * 50_000


def test_a_deep_body_is_a_400_over_http(runtime: Any) -> None:
    session = signup_over_http(runtime)
    for path, headers in (("/auth/login", {}),
                          ("/gigs", {"Authorization": f"Bearer {session['access_token']}"})):
        answer = httpx.post(f"{runtime.api_url}{path}", content=DEEP, timeout=30,
                            headers=headers | {"Content-Type": "application/json"})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "validation_error"
        assert answer.json()["error"]["details"] == [{"field": "body", "issue": "nested deeper than 32 levels"}]


def test_a_deep_frame_gets_an_error_frame_and_the_socket_stays_open(runtime: Any) -> None:
    session = signup_over_http(runtime)

    async def talk() -> list[dict[str, Any]]:
        async with websockets.connect(f"{runtime.ws_url}/?token={session['access_token']}") as socket:
            await socket.send('{"action": "sendMessage", "body": ' + DEEP + "}")
            first = json.loads(await asyncio.wait_for(socket.recv(), 10))
            await socket.send(json.dumps({"action": "ping"}))
            second = json.loads(await asyncio.wait_for(socket.recv(), 10))
            return [first, second]

    error, pong = asyncio.run(talk())
    assert error["type"] == "error" and error["error"]["code"] == "validation_error"
    assert "nested deeper" in error["error"]["message"]
    assert pong == {"type": "pong"}
