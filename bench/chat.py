"""Chat delivery over the local WebSocket gateway: time from ``sendMessage`` to arrival at the other
participants' connections, and messages per second sustained.

200 open connections over 50 conversations (two users with two devices each per conversation), against the
local stack started in memory (DynamoDB Local, moto, the gateways, worker processes).

    python -m bench.chat [--conversations 50] [--messages 600] [--rate 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(api: str, ws: str, conversations: int, messages: int, rate: float) -> None:
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        async def signup() -> dict[str, Any]:
            body = {"email": f"bench-{uuid.uuid4().hex}@example.com", "password": "correct horse battery",
                    "name": "Bench", "roles": ["client"]}
            answer = await client.post("/auth/signup", json=body)
            answer.raise_for_status()
            return dict(answer.json())

        users = []
        for start in range(0, conversations * 2, 8):
            users += await asyncio.gather(*(signup() for _ in range(min(8, conversations * 2 - start))))
        rooms = []
        for n in range(conversations):
            a, b = users[2 * n], users[2 * n + 1]
            answer = await client.post("/conversations", json={"participant_ids": [b["user"]["id"]]},
                                       headers={"Authorization": f"Bearer {a['access_token']}"})
            answer.raise_for_status()
            rooms.append((answer.json()["id"], a, b))

    sent_at: dict[str, float] = {}
    arrivals: list[float] = []
    expected = 0

    async def listen(socket: Any) -> None:
        try:
            async for raw in socket:
                frame = json.loads(raw)
                if frame.get("type") == "message":
                    started = sent_at.get(frame["message"]["client_msg_id"])
                    if started is not None:
                        arrivals.append((time.perf_counter() - started) * 1000)
        except websockets.ConnectionClosed:
            pass

    sockets: list[tuple[str, Any]] = []
    for conversation_id, a, b in rooms:
        for session in (a, a, b, b):
            socket = await websockets.connect(f"{ws}/?token={session['access_token']}", max_queue=None)
            sockets.append((conversation_id, socket))
    readers = [asyncio.ensure_future(listen(s)) for _, s in sockets]
    await asyncio.sleep(1.0)
    print(f"bench/chat: {len(sockets)} open connections over {len(rooms)} conversations; "
          f"{messages} messages at {rate:.0f}/s offered")

    senders = [s for i, (_, s) in enumerate(sockets) if i % 4 == 0]  # each conversation's first device
    by_socket = {id(s): c for c, s in sockets}
    random.seed(7)
    started = time.perf_counter()
    for n in range(messages):
        socket = random.choice(senders)
        client_msg_id = f"b{n}"
        sent_at[client_msg_id] = time.perf_counter()
        await socket.send(json.dumps({"action": "sendMessage", "conversation_id": by_socket[id(socket)],
                                      "client_msg_id": client_msg_id, "body": f"message {n}"}))
        expected += 3
        delay = started + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    deadline = time.perf_counter() + 30
    while len(arrivals) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for _, socket in sockets:
        await socket.close()
    for reader in readers:
        reader.cancel()
    delivered = len(arrivals)
    print(f"  deliveries: {delivered}/{expected} (3 other connections per message)")
    print(f"  send -> arrival ms: p50 {statistics.median(arrivals):.1f}   p95 {percentile(arrivals, 95):.1f}"
          f"   p99 {percentile(arrivals, 99):.1f}   max {max(arrivals):.1f}   (goal: p95 under 50 ms)")
    print(f"  sustained: {messages / elapsed:.1f} messages/s ({delivered / elapsed:.1f} deliveries/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from infra.local.runtime.process import LocalRuntime
    from infra.local.services import LocalServices

    services = LocalServices(None)
    services.start()
    try:
        environment = services.environment() | {"GIGCONNECT_SEARCH_PATH": tempfile.mkdtemp(),
                                                "GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "100000",
                                                "POWERTOOLS_METRICS_DISABLED": "true"}
        with LocalRuntime(environment, workers=args.workers, log_file=Path(tempfile.mkdtemp()) / "runtime.log") as rt:
            asyncio.run(run(rt.api_url, rt.ws_url, args.conversations, args.messages, args.rate))
    finally:
        services.stop()


if __name__ == "__main__":
    main()
