"""Receiving the local Stripe's webhooks in tests: a loopback endpoint that keeps what it is sent, and the
local Stripe's control call that registers an endpoint (``POST /_config/webhooks/{name}``)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def register_webhook(local_services: Any, url: str, secret: str, name: str | None = None) -> None:
    """Have the local Stripe send every event to ``url``, signed with ``secret``."""
    body = json.dumps({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{local_services.stripe_endpoint}/_config/webhooks/{name or 'test-' + uuid.uuid4().hex[:8]}", data=body,
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
        answer.read()


class Receiver:
    """A webhook endpoint on loopback: keeps each delivery's raw body and Stripe-Signature."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((raw, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def about(self, object_id: str, kind: str | None = None, timeout: float = 10.0) -> list[tuple[bytes, str]]:
        """The deliveries about ``object_id`` (of type ``kind``), waiting up to ``timeout`` for the first."""
        deadline = time.monotonic() + timeout
        while True:
            found = []
            for raw, signature in list(self.received):
                event = json.loads(raw)
                if event["data"]["object"]["id"] == object_id and kind in (None, event["type"]):
                    found.append((raw, signature))
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def events(self, kind: str, object_id: str, secret: str, timeout: float = 8.0) -> list[Any]:
        """The deliveries of ``kind`` about ``object_id`` as verified Stripe events (``construct_event`` raises
        on a signature that does not verify with ``secret``)."""
        import stripe

        return [stripe.Webhook.construct_event(raw, signature, secret)
                for raw, signature in self.about(object_id, kind, timeout)]

    def close(self) -> None:
        self.server.shutdown()
