"""API Gateway, locally: REST on one port, WebSocket (with the ``@connections`` API) on another.

One asyncio front process accepts every connection, as API Gateway does, and hands each invocation to a
pool of worker processes, as API Gateway hands them to Lambda: a worker runs one invocation at a time
(Chalice keeps per-request state on the app object), concurrency is the pool size, and a slow request
never blocks the front from accepting others.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web

from infra.local.runtime.loader import AppIndex, match_route

logger = logging.getLogger("gigconnect.gateway")

Invoke = Callable[[str, dict[str, Any]], Awaitable[Any]]
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
STAGE = "api"


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = json.dumps({"error": {"code": code, "message": message, "details": []}})
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


def _multi(pairs: Any) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return (single or None), (multi or None)


def _source_ip(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return str(peer[0]) if peer else "127.0.0.1"


def _body(raw: bytes) -> tuple[str | None, bool]:
    try:
        return (raw.decode("utf-8") if raw else None), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def rest_event(method: str, path: str, headers: list[tuple[str, str]], query: list[tuple[str, str]], raw: bytes,
               template: str, params: dict[str, str], source_ip: str, protocol: str = "HTTP/1.1",
               user_agent: str | None = None) -> dict[str, Any]:
    """The REST API's Lambda proxy event (payload format 1.0)."""
    single_headers, multi_headers = _multi(headers)
    single_query, multi_query = _multi(query)
    body, encoded = _body(raw)
    now = datetime.now(UTC)
    return {
        "resource": template,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": template,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "requestId": str(uuid.uuid4()),
            "stage": STAGE,
            "apiId": "local",
            "accountId": "000000000000",
            "protocol": protocol,
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


#: Bodies an HTTP API hands over as text; any other content type arrives base64-encoded.
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded")


def http_api_event(method: str, path: str, headers: list[tuple[str, str]], query: list[tuple[str, str]], raw: bytes,
                   template: str, params: dict[str, str], source_ip: str, protocol: str = "HTTP/1.1",
                   user_agent: str | None = None) -> dict[str, Any]:
    """An HTTP API's event with payload format 1.0, as AWS documents it: the REST event's fields, with
    ``version``, header names in lower case (HTTP APIs lower-case them), ``routeKey``, the ``$default``
    stage (no stage in the path), and a body that is not text (by its content type) base64-encoded."""
    lowered = [(name.lower(), value) for name, value in headers]
    event = rest_event(method, path, lowered, query, raw, template, params, source_ip, protocol, user_agent)
    content_type = dict(lowered).get("content-type", "")
    if raw and not content_type.startswith(_TEXT_TYPES):
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode("ascii"), True
    now = datetime.now(UTC)
    context = event["requestContext"]
    context.update({
        "path": path, "stage": "$default", "routeKey": f"{method} {template}", "resourceId": None,
        "domainName": "local.execute-api.localhost", "domainPrefix": "local",
        "extendedRequestId": context["requestId"], "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "authorizer": None,
    })
    return {"version": "1.0"} | event


#: The kinds of API the template can create (its ApiKind parameter).
API_KINDS = ("rest", "http")


class RestGateway:
    """HTTP -> an API Gateway proxy event (payload format 1.0) -> the app -> HTTP. ``kind`` is the API that
    makes the event: ``rest`` (the REST API's) or ``http`` (an HTTP API's, payload format 1.0), as the
    template's ApiKind parameter chooses."""

    def __init__(self, index: AppIndex, invoke: Invoke, kind: str = "rest") -> None:
        if kind not in API_KINDS:
            raise ValueError(f"unknown API kind {kind!r}: rest or http")
        self._index = index
        self._invoke = invoke
        self._kind = kind

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY + 1)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return _error(413, "payload_too_large", "The request body is larger than 10 MB.")
        found = match_route(self._index.routes, request.path)
        if found is None:
            # In the contract's shape here; in the cloud the gateway answers itself (docs/deployment.md, "REST
            # API or HTTP API": REST 403 "Missing Authentication Token", HTTP API 404 "Not Found").
            return _error(404, "not_found", f"No route {request.path}.")
        template, params = found
        make = http_api_event if self._kind == "http" else rest_event
        event = make(request.method, request.path, list(request.headers.items()), list(request.query.items()), raw,
                     template, params, _source_ip(request), f"HTTP/{request.version.major}.{request.version.minor}",
                     request.headers.get("User-Agent"))
        started = time.perf_counter()
        try:
            result = await self._invoke("api", event)
        except Exception:
            logger.exception("the API handler failed")
            return _error(502, "internal_error", "An internal error occurred.")
        response = self._response(result)
        # The time from handing the event to a worker to its answer: the handler's own wall time (the worker's
        # Server-Timing) plus the wait for a free worker. Local only, as the worker's figures are.
        timing = f"gateway;dur={(time.perf_counter() - started) * 1000:.3f}"
        known = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = f"{known}, {timing}" if known else timing
        return response

    @staticmethod
    def _response(result: Any) -> web.Response:
        if not isinstance(result, dict) or "statusCode" not in result:
            return _error(502, "internal_error", "An internal error occurred.")
        raw_body = result.get("body") or ""
        data = base64.b64decode(raw_body) if result.get("isBase64Encoded") else str(raw_body).encode()
        response = web.Response(status=int(result["statusCode"]), body=data if data else None)
        for key, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(key, str(value))
        for key, value in (result.get("headers") or {}).items():
            if key not in response.headers:
                response.headers[key] = str(value)
        return response


class WebSocketGateway:
    """Sockets -> ``$connect``/``$default``/``$disconnect`` events, and the ``@connections`` API back."""

    def __init__(self, index: AppIndex, invoke: Invoke, domain: str) -> None:
        self._index = index
        self._invoke = invoke
        self._domain = domain
        self._sockets: dict[str, web.WebSocketResponse] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/@connections", self.list_connections)
        app.router.add_post("/@connections/{connection_id}", self.post_to_connection)
        app.router.add_get("/@connections/{connection_id}", self.get_connection)
        app.router.add_delete("/@connections/{connection_id}", self.delete_connection)
        app.router.add_get("/{tail:.*}", self.connect)
        app.on_shutdown.append(self._close_all)
        return app

    def _context(self, connection_id: str, route_key: str, event_type: str) -> dict[str, Any]:
        meta = self._meta.get(connection_id, {})
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "domainName": self._domain,
            "stage": STAGE,
            "apiId": "local",
            "requestId": str(uuid.uuid4()),
            "messageId": secrets.token_urlsafe(9),
            "connectedAt": meta.get("connected_at", int(time.time() * 1000)),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": meta.get("source_ip", "127.0.0.1")},
        }

    async def connect(self, request: web.Request) -> web.StreamResponse:
        if "$connect" not in self._index.websocket:
            return _error(404, "not_found", "This app has no WebSocket API.")
        connection_id = secrets.token_urlsafe(12)
        self._meta[connection_id] = {"connected_at": int(time.time() * 1000), "source_ip": _source_ip(request),
                                     "last_active_at": int(time.time() * 1000)}
        headers, multi_headers = _multi(request.headers.items())
        parsed = parse_qs(request.query_string, keep_blank_values=True)
        query = {k: v[-1] for k, v in parsed.items()} or None
        event = {"requestContext": self._context(connection_id, "$connect", "CONNECT"), "headers": headers,
                 "multiValueHeaders": multi_headers, "queryStringParameters": query,
                 "multiValueQueryStringParameters": parsed or None, "isBase64Encoded": False}
        try:
            result = await self._invoke(self._index.websocket["$connect"], event)
            status = int((result or {}).get("statusCode", 200)) if isinstance(result, dict) else 200
        except Exception:
            logger.exception("$connect failed")
            status = 500
        if status >= 300:
            self._meta.pop(connection_id, None)
            return web.Response(status=403 if status < 500 else 500, text="Forbidden")
        socket = web.WebSocketResponse(heartbeat=30)
        await socket.prepare(request)
        self._sockets[connection_id] = socket
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self._message(connection_id, message.data)
                elif message.type == WSMsgType.BINARY:
                    await self._message(connection_id, base64.b64encode(message.data).decode(), encoded=True)
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.pop(connection_id, None)
            await self._disconnect(connection_id)
        return socket

    async def _message(self, connection_id: str, body: str, encoded: bool = False) -> None:
        self._meta.get(connection_id, {})["last_active_at"] = int(time.time() * 1000)
        handler = self._index.websocket.get("$default")
        if handler is None:
            return
        event = {"requestContext": self._context(connection_id, "$default", "MESSAGE"), "body": body,
                 "isBase64Encoded": encoded}
        try:
            await self._invoke(handler, event)
        except Exception:
            logger.exception("$default failed")

    async def _disconnect(self, connection_id: str) -> None:
        handler = self._index.websocket.get("$disconnect")
        if handler is not None:
            event = {"requestContext": self._context(connection_id, "$disconnect", "DISCONNECT"),
                     "isBase64Encoded": False}
            try:
                await self._invoke(handler, event)
            except Exception:
                logger.exception("$disconnect failed")
        self._meta.pop(connection_id, None)

    @staticmethod
    def _gone() -> web.Response:
        return web.Response(status=410, text=json.dumps({"message": "Gone"}), content_type="application/json",
                            headers={"x-amzn-ErrorType": "GoneException"})

    async def list_connections(self, request: web.Request) -> web.Response:
        """Local-only (API Gateway has no such call): the open connection ids, for tests and debugging."""
        return web.json_response({"connections": sorted(self._sockets)})

    async def post_to_connection(self, request: web.Request) -> web.Response:
        socket = self._sockets.get(request.match_info["connection_id"])
        if socket is None or socket.closed:
            return self._gone()
        data = await request.read()
        try:
            await socket.send_str(data.decode("utf-8"))
        except UnicodeDecodeError:
            await socket.send_bytes(data)
        except ConnectionError:
            return self._gone()
        return web.Response(status=200)

    async def get_connection(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["connection_id"]
        if connection_id not in self._sockets:
            return self._gone()
        meta = self._meta[connection_id]

        def iso(millis: int) -> str:
            return datetime.fromtimestamp(millis / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

        # Field names as the management API's wire format has them (botocore maps them to ConnectedAt...).
        return web.json_response({"connectedAt": iso(meta["connected_at"]),
                                  "lastActiveAt": iso(meta["last_active_at"]),
                                  "identity": {"sourceIp": meta["source_ip"], "userAgent": ""}})

    async def delete_connection(self, request: web.Request) -> web.Response:
        socket = self._sockets.get(request.match_info["connection_id"])
        if socket is None:
            return self._gone()
        await socket.close()
        return web.Response(status=204)

    async def _close_all(self, app: web.Application) -> None:
        for socket in list(self._sockets.values()):
            await socket.close()

    def connection_count(self) -> int:
        return len(self._sockets)


async def serve(index: AppIndex, invoke: Invoke, *, host: str, api_port: int, ws_port: int,
                api_kind: str = "rest") -> list[web.AppRunner]:
    """Start both gateways on ``host``; returns their runners (``await runner.cleanup()`` stops them)."""
    runners = []
    for application, port in ((RestGateway(index, invoke, api_kind).application(), api_port),
                              (WebSocketGateway(index, invoke, f"{host}:{ws_port}").application(), ws_port)):
        runner = web.AppRunner(application, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, host, port, reuse_address=True).start()
        runners.append(runner)
    return runners
