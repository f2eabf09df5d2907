"""The REST gateway hands requests to its workers concurrently: a slow one never holds up another."""

from __future__ import annotations

import asyncio

import httpx
from aiohttp import web

from infra.local.runtime.gateway import RestGateway
from infra.local.runtime.loader import AppIndex, match_route
from infra.local.services import free_port


def test_two_requests_are_in_flight_at_once():
    # Given a gateway whose "Lambda" only answers once two invocations are running together
    async def scenario() -> list[int]:
        both_running = asyncio.Barrier(2)
        seen: list[str] = []

        async def invoke(handler: str, event: dict) -> dict:
            seen.append(event["path"])
            await asyncio.wait_for(both_running.wait(), 5)
            return {"statusCode": 200, "headers": {}, "body": "{}"}

        runner = web.AppRunner(RestGateway(AppIndex(routes={"/slow/{n}": {"GET"}}), invoke).application())
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                # When two requests are sent at the same time
                answers = await asyncio.gather(client.get("/slow/1"), client.get("/slow/2"))
        finally:
            await runner.cleanup()
        return [a.status_code for a in answers]

    # Then both complete (a gateway that ran them one after the other would time out)
    assert asyncio.run(scenario()) == [200, 200]


def test_literal_segments_beat_parameters_as_in_api_gateway():
    routes = {"/gigs/{gig_id}": {"GET"}, "/gigs/nearby": {"GET"}, "/users/{user_id}": {"GET"}}
    assert match_route(routes, "/gigs/nearby") == ("/gigs/nearby", {})
    assert match_route(routes, "/gigs/01ABC") == ("/gigs/{gig_id}", {"gig_id": "01ABC"})
    assert match_route(routes, "/gigs") is None


def test_background_work_never_takes_the_api_s_worker():
    # Given one worker for the API and one for background work, the background one busy with a slow consumer
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from infra.local.runtime.server import Invokers

    release = threading.Event()

    def call(handler: str, event: dict) -> dict:
        if handler == "slow_consumer":
            release.wait(10)
            return {"batchItemFailures": []}
        return {"statusCode": 200, "body": handler}

    with ThreadPoolExecutor(1) as api, ThreadPoolExecutor(1) as background:
        invokers = Invokers(api, background, call, timeout=2)
        consumer = threading.Thread(target=invokers.background, args=("slow_consumer", {}))
        consumer.start()
        try:
            # When a request arrives, then more background work
            answer = asyncio.run(invokers.api("api", {}))
            queued = threading.Thread(target=invokers.background, args=("slow_consumer", {}))
            queued.start()
            again = asyncio.run(invokers.api("api", {}))
        finally:
            release.set()
            consumer.join(5)
        queued.join(5)

    # Then the requests were answered while the consumer still held its worker
    assert answer == again == {"statusCode": 200, "body": "api"}


def test_a_worker_marks_its_first_call_of_each_route_in_server_timing(monkeypatch):
    from infra.local.runtime import loader

    monkeypatch.setattr(loader, "_app", lambda event, context: {"statusCode": 200, "headers": {}, "body": "{}"})
    monkeypatch.setattr(loader, "_routes_served", set())

    def timing(method: str, resource: str) -> list[str]:
        answer = loader.invoke("api", {"httpMethod": method, "resource": resource})
        return [part.strip().split(";")[0] for part in answer["headers"]["Server-Timing"].split(",")]

    assert timing("GET", "/gigs/{id}") == ["cpu", "handler", "first"]
    assert timing("GET", "/gigs/{id}") == ["cpu", "handler"]
    assert timing("POST", "/gigs/{id}") == ["cpu", "handler", "first"]
