"""Stripe's idempotent requests (``Idempotency-Key``), as a middleware of localstripe's app."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import store

from infra.local.stripe_connect.params import StripeError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_IDEMPOTENCY_TTL = 24 * 3600
_in_flight: set[str] = set()


async def _params_digest(request: web.Request) -> str:
    data = await server.get_post_data(request, remove_auth=False) or {}
    canonical = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stripe's ``Idempotency-Key``: the same key with the same parameters answers the first answer again;
    with other parameters, ``400 idempotency_error``; while the first is running, ``409``. Validation errors
    and 5xx are not saved, as at Stripe."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    scope = f"_idempotency:{server.get_api_key(request)}:{key}"
    digest = await _params_digest(request)
    saved = store.get(scope)
    if saved is not None and saved["at"] + _IDEMPOTENCY_TTL > time.time():
        if saved["digest"] != digest:
            raise StripeError(400, "Keys for idempotent requests can only be used with the same parameters they "
                              f"were first used with. Try using a key other than '{key}' if you meant to execute "
                              "a different request.", type_="idempotency_error")
        return web.Response(text=saved["body"], status=saved["status"], content_type="application/json",
                            headers={"Idempotent-Replayed": "true", "Original-Request": saved["request_id"]})
    if scope in _in_flight:
        raise StripeError(409, "There is currently another in-progress request using this Stripe token (that "
                          "probably means you clicked twice, and the other request is still going through).",
                          code="idempotency_key_in_use")
    _in_flight.add(scope)
    try:
        try:
            response = await handler(request)
        except UserError as exc:
            response = exc.to_response()
        status = response.status
        if isinstance(response, web.Response) and (status < 400 or status in (402, 404)):
            text = response.text or ""
            store[scope] = {"digest": digest, "status": status, "body": text, "at": time.time(),
                            "request_id": "req_" + secrets.token_hex(7)}
        return response
    finally:
        _in_flight.discard(scope)
