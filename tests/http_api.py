"""The app in process, called as an HTTP API calls it (payload format 1.0), with chalice.test's interface.

``Api(HttpApiClient(app))`` behaves as ``Api(chalice.test.Client(app))`` does, but each request reaches the
handler as the event the local gateway makes in its HTTP API mode (``infra.local.runtime.gateway.http_api_event``:
lower-case header names, ``routeKey``, the ``$default`` stage, non-text bodies base64-encoded). With
``GIGCONNECT_TEST_API_KIND=http`` the ``api`` fixture (tests/conftest.py) and the security suite's use it, so
any of their tests runs through the HTTP API's events.
"""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from chalice.local import LambdaContext, LambdaEventConverter
from chalice.test import HTTPResponse

from infra.local.runtime.gateway import http_api_event, rest_event
from infra.local.runtime.loader import match_route

KIND = os.environ.get("GIGCONNECT_TEST_API_KIND", "rest")


def _response(result: dict[str, Any]) -> HTTPResponse:
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    headers = dict(result.get("headers") or {})
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = values[-1] if isinstance(values, list) and len(values) == 1 else values
    return HTTPResponse(body=body, headers=headers, status_code=int(result["statusCode"]))


class _Http:
    def __init__(self, app: Any, kind: str) -> None:
        self._app = app
        self._make = http_api_event if kind == "http" else rest_event
        self._kind = kind
        self._routes = {path: set(methods) for path, methods in app.routes.items()}

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Any:
        parts = urlsplit(path)
        found = match_route(self._routes, parts.path)
        if found is None:  # what each gateway answers itself for a path with no route
            status, text = (404, b'{"message":"Not Found"}') if self._kind == "http" else (
                403, b'{"message": "Missing Authentication Token"}')
            return HTTPResponse(body=text, headers={}, status_code=status)
        template, params = found
        event = self._make(method.upper(), parts.path, list((headers or {}).items()),
                           parse_qsl(parts.query, keep_blank_values=True), body or b"", template, params,
                           LambdaEventConverter.LOCAL_SOURCE_IP)  # as chalice.test's (tests change it)
        context = LambdaContext("api_handler", 1024, max_runtime_ms=29_000)
        context.aws_request_id = str(uuid.uuid4())
        return _response(self._app(event, context))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)


class HttpApiClient:
    """A stand-in for ``chalice.test.Client``: ``.http.request(method, path, headers=, body=)``."""

    def __init__(self, app: Any, kind: str = "http") -> None:
        self.http = _Http(app, kind)

    def __enter__(self) -> HttpApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
