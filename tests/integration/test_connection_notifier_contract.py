"""The ``ConnectionNotifier`` contract, run against the management API adapter (boto3's
``apigatewaymanagementapi`` client on the local WebSocket gateway's ``@connections`` API, served here in a thread
with a stand-in for the app) and the fake: a frame reaches an open socket as JSON, a gone connection answers
False, and closing one that is already gone is not an error."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gigcore.ports import ConnectionNotifier
from tests.fakes import FakeNotifier

pytestmark = pytest.mark.integration


@dataclass
class Harness:
    notifier: ConnectionNotifier
    #: Open a socket: (its connection id, a function that reads its next frame as JSON, or None once closed).
    open: Callable[[], tuple[str, Callable[[], Any]]]


class _Index:
    websocket = {"$connect": "connect", "$disconnect": "disconnect"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gateway_port() -> Iterator[int]:
    from aiohttp import web

    from infra.local.runtime.gateway import WebSocketGateway

    async def invoke(_handler: str, _event: dict[str, Any]) -> dict[str, Any]:
        return {"statusCode": 200}

    port = _free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(WebSocketGateway(_Index(), invoke, f"127.0.0.1:{port}").application())  # type: ignore[arg-type]
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(params=["management-api", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakeNotifier()
        opened = iter(range(1_000_000))

        def open_fake() -> tuple[str, Callable[[], Any]]:
            connection_id = f"C{next(opened)}"
            fake.open(connection_id)
            seen = iter(range(1_000_000))

            def read() -> Any:
                frames = fake.frames(connection_id)
                index = next(seen)
                return frames[index] if index < len(frames) and connection_id not in fake.closed else None

            return connection_id, read

        yield Harness(fake, open_fake)
        return
    import boto3
    import websocket

    from gigcore.adapters.websocket import ApiGatewayConnectionNotifier

    port = request.getfixturevalue("gateway_port")
    base = f"http://127.0.0.1:{port}"
    client = boto3.client("apigatewaymanagementapi", endpoint_url=base, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106 (local)
    sockets: list[Any] = []

    def connection_ids() -> set[str]:
        with urllib.request.urlopen(base + "/@connections", timeout=5) as answer:  # noqa: S310 (loopback)
            return set(json.load(answer)["connections"])

    def open_real() -> tuple[str, Callable[[], Any]]:
        before = connection_ids()
        ws = websocket.create_connection(f"ws://127.0.0.1:{port}/", timeout=5)
        sockets.append(ws)
        for _ in range(50):
            new = connection_ids() - before
            if new:
                break
            threading.Event().wait(0.05)
        [connection_id] = new

        def read() -> Any:
            try:
                data = ws.recv()
            except websocket.WebSocketConnectionClosedException:
                return None
            return json.loads(data) if data else None

        return connection_id, read

    yield Harness(ApiGatewayConnectionNotifier(client), open_real)
    for ws in sockets:
        ws.close()


def test_a_frame_reaches_the_open_socket_as_json(harness):
    connection_id, read = harness.open()
    assert harness.notifier.post(connection_id, {"type": "message", "n": 1, "text": "héllo"}) is True
    assert read() == {"type": "message", "n": 1, "text": "héllo"}


def test_a_connection_that_is_gone_answers_false(harness):
    assert harness.notifier.post("NoSuchConnection=", {"type": "ping"}) is False


def test_a_closed_connection_is_gone_and_closing_it_again_is_harmless(harness):
    connection_id, read = harness.open()
    harness.notifier.close(connection_id)
    assert read() is None
    assert harness.notifier.post(connection_id, {"type": "ping"}) is False
    harness.notifier.close(connection_id)


def test_an_unreachable_management_api_is_an_outage_for_a_post_and_a_close():
    """A post and a close share one translation of botocore's errors (issue 17): a close that cannot reach the
    API is an outage (503) too, never a raw botocore error."""
    import boto3
    from botocore.config import Config

    from gigcore.adapters.websocket import ApiGatewayConnectionNotifier
    from gigcore.domain.errors import UpstreamUnavailableError

    client = boto3.client("apigatewaymanagementapi", endpoint_url=f"http://127.0.0.1:{_free_port()}",
                          region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    notifier = ApiGatewayConnectionNotifier(client)
    with pytest.raises(UpstreamUnavailableError, match="The WebSocket API is unavailable"):
        notifier.post("C1", {"type": "ping"})
    with pytest.raises(UpstreamUnavailableError, match="The WebSocket API is unavailable"):
        notifier.close("C1")
