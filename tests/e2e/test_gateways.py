"""The local gateways over real sockets: what a mobile app and the Lambda handlers see."""

from __future__ import annotations

import asyncio
import json
import time

import boto3
import httpx
import pytest
import websockets
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e


def management(runtime) -> object:
    return boto3.client("apigatewaymanagementapi", endpoint_url=f"http://127.0.0.1:{runtime.ws_port}",
                        region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_health_answers_ok_for_every_dependency(runtime):
    from gigconnect_client.api.system import get_health

    from tests.e2e.api import anonymous, ok

    health = ok(get_health.sync_detailed(client=anonymous(runtime)))
    assert health.to_dict() == {"status": "ok", "dependencies": {
        "dynamodb": "ok", "queue": "ok", "search": "ok", "payments": "ok"}}


def test_an_unknown_path_is_404_in_the_error_shape(runtime):
    answer = httpx.get(f"{runtime.api_url}/no/such/thing")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_known_path_with_another_method_is_405(runtime):
    answer = httpx.delete(f"{runtime.api_url}/health")
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"


def test_openapi_is_served_over_http_as_committed(runtime):
    """What the API serves is docs/openapi.json, the document the clients in clients/ are generated from."""
    from infra.openapi import DOCUMENT

    document = httpx.get(f"{runtime.api_url}/openapi.json").json()
    assert document["openapi"] == "3.1.0" and "/auth/signup" in document["paths"]
    assert document == json.loads(DOCUMENT.read_text())


def test_the_local_gateway_reports_handler_cpu_and_cache_lookups_in_server_timing(runtime):
    from tests.e2e.conftest import local_only, signup_over_http

    local_only("Server-Timing is added by the local gateway")

    session = signup_over_http(runtime)
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    reads = [httpx.get(f"{runtime.api_url}/users/{session['user']['id']}", headers=headers) for _ in range(6)]
    timings = [dict((*part.strip().split(";", 1), "")[:2] for part in r.headers["Server-Timing"].split(","))
               for r in reads]
    assert all(r.status_code == 200 for r in reads)
    assert all(float(t["cpu"].removeprefix("dur=")) > 0 for t in timings)

    def ms(timing: dict[str, str], name: str) -> float:
        return float(timing[name].removeprefix("dur="))

    # The gateway's time holds the handler's (and the wait for a worker); a worker marks only its first call
    # of the route (earlier tests of the session may have made it already).
    assert all(ms(t, "gateway") >= ms(t, "handler") > 0 for t in timings)
    assert sum("first" in t for t in timings) <= 2
    lookups = [(t.get("cache-hit"), t.get("cache-miss")) for t in timings]
    assert set(lookups) <= {('desc="1"', 'desc="0"'), ('desc="0"', 'desc="1"')}
    # Two workers: each misses once at most, then hits its own copy.
    assert sum(1 for hit, _ in lookups if hit == 'desc="1"') >= len(reads) - 2


def test_a_socket_pings_and_gets_pong(socket_url):
    async def scenario():
        async with websockets.connect(socket_url) as socket:
            await socket.send(json.dumps({"action": "ping"}))
            return json.loads(await socket.recv())

    assert run(scenario()) == {"type": "pong"}


def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(socket_url):
    async def scenario():
        async with websockets.connect(socket_url) as socket:
            await socket.send("{not json")
            error = json.loads(await socket.recv())
            await socket.send(json.dumps({"action": "dance", "client_msg_id": "m1"}))
            unknown = json.loads(await socket.recv())
            await socket.send(json.dumps({"action": "ping"}))
            return error, unknown, json.loads(await socket.recv())

    error, unknown, pong = run(scenario())
    assert error["type"] == "error" and error["error"]["code"] == "validation_error"
    assert unknown["type"] == "error" and unknown["client_msg_id"] == "m1"
    assert pong == {"type": "pong"}


def open_connections(runtime) -> set[str]:
    """The gateway's local-only listing of open connection ids (not part of the AWS API)."""
    return set(httpx.get(f"http://127.0.0.1:{runtime.ws_port}/@connections").json()["connections"])


def test_the_app_posts_to_a_connection_and_gone_ones_raise(runtime, socket_url):
    client = management(runtime)
    before = open_connections(runtime)

    async def scenario():
        async with websockets.connect(socket_url) as socket:
            (connection_id,) = await asyncio.to_thread(lambda: open_connections(runtime) - before)
            info = await asyncio.to_thread(client.get_connection, ConnectionId=connection_id)
            await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=b'{"type":"hello"}')
            received = json.loads(await socket.recv())
        return connection_id, info, received

    connection_id, info, received = run(scenario())
    assert received == {"type": "hello"}
    assert info["Identity"]["SourceIp"] == "127.0.0.1"
    deadline = time.monotonic() + 5
    while connection_id in open_connections(runtime) and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(ClientError) as gone:
        client.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    assert gone.value.response["Error"]["Code"] == "GoneException"


def test_the_app_can_close_a_connection(runtime, socket_url):
    client = management(runtime)
    before = open_connections(runtime)

    async def scenario():
        async with websockets.connect(socket_url) as socket:
            (connection_id,) = await asyncio.to_thread(lambda: open_connections(runtime) - before)
            await asyncio.to_thread(client.delete_connection, ConnectionId=connection_id)
            with pytest.raises(websockets.ConnectionClosed):
                await socket.recv()

    run(scenario())


def test_a_socket_without_a_valid_token_is_refused(runtime):
    async def attempt(url: str) -> int:
        try:
            async with websockets.connect(url):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    assert run(attempt(runtime.ws_url)) == 403
    assert run(attempt(f"{runtime.ws_url}/?token=not-a-token")) == 403
