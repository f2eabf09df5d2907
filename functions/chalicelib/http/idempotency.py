"""``Idempotency-Key`` on POST: the first answer is kept and replayed to a retry of the same request.

Keyed on the path and query the client sent; an answer that carries tokens is never stored (docs/auth.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal, cast
from urllib.parse import quote

from chalice.app import Request, Response

from chalicelib.http.context import served_request, serving
from gigcore import bootstrap
from gigcore.domain.errors import ConflictError, ErrorDetail, IdempotencyKeyReusedError, MalformedRequestError
from gigcore.ports.auth import StoredAnswer

#: Whether a route takes an ``Idempotency-Key``: optional (every POST), required (money moves) or none.
Idempotency = Literal["optional", "required", "none"]

_PATH_PARAM = re.compile(r"{(\w+)}")
#: Fields whose value is a credential: an answer carrying one is never kept in the idempotency store.
CREDENTIAL_FIELDS = frozenset({"access_token", "refresh_token"})


def idempotency_key(request: Request, mode: Idempotency) -> str | None:
    """The request's ``Idempotency-Key`` (None without one): 400 when missing where required or malformed."""
    key: str | None = request.headers.get("idempotency-key")
    if key is None:
        if mode == "required":
            raise MalformedRequestError(
                "This request moves money: send an Idempotency-Key header.",
                details=[ErrorDetail(field="Idempotency-Key", issue="required")],
            )
        return None
    if not 1 <= len(key) <= 255:
        raise MalformedRequestError(
            "Idempotency-Key must be 1 to 255 characters.",
            details=[ErrorDetail(field="Idempotency-Key", issue="1..255 characters")],
        )
    return key


def carries_credentials(value: Any) -> bool:
    """True when ``value`` (an answer's body) holds a credential field at any depth."""
    if isinstance(value, dict):
        return any(k in CREDENTIAL_FIELDS or carries_credentials(v) for k, v in value.items())
    if isinstance(value, list):
        return any(carries_credentials(v) for v in value)
    return False


def request_digest(request: Request, template: str) -> str:
    """What identifies a request under one Idempotency-Key: the method, the path the client sent (the
    route's template with its values: ``request.path`` is the template, the same for every gig), the query
    string and the body. Keyed (HMAC), since a body may hold a password or a token and the idempotency
    table must not give a guess of either a way to be checked offline."""
    params = request.uri_params or {}
    path = _PATH_PARAM.sub(lambda m: quote(str(params.get(m.group(1), "")), safe=""), template)
    query = request.query_params
    pairs = sorted((str(k), str(v)) for k in (query or {}) for v in (query.getlist(k) if query else ()))
    head = json.dumps([request.method, path, pairs], separators=(",", ":")).encode()
    return hmac.new(bootstrap.settings().idempotency_hash_key, head + b"\n" + cast(bytes, request.raw_body or b""),
                    hashlib.sha256).hexdigest()


def run_idempotently(request: Request, template: str, key: str, scope: str, run: Callable[[], Response]
                     ) -> Response:
    """``run`` once per ``(scope, key)``: a retry of the same request gets the first answer again, another
    request under the key 422, a retry while the first runs 409."""
    store = bootstrap.container().idempotency
    digest = request_digest(request, template)
    now = int(time.time())
    earlier = store.begin(scope, key, digest, now)
    if earlier is not None:
        if earlier.request_hash != digest:
            raise IdempotencyKeyReusedError("This Idempotency-Key was used with a different request.")
        if not earlier.done or earlier.answer is None:
            raise ConflictError("A request with this Idempotency-Key is still being processed.")
        replay = earlier.answer
        if not replay.replayable:
            # The first answer carried credentials and was not kept: the retry runs again, told how the
            # first one ended (a refresh retried presents a spent token, which revokes its family).
            with serving(replace(served_request(), first_status=replay.status)):
                return run()
        body_out: Any = replay.body if replay.body is not None else ""
        return Response(body=body_out, status_code=replay.status,
                        headers={**replay.headers, "Idempotent-Replayed": "true"})
    try:
        response = run()
    except BaseException:
        store.abandon(scope, key)
        raise
    if response.status_code >= 500 or _try_again(response):
        # A failure is not an answer, nor is "another call is at it, try again": the retry must run again.
        store.abandon(scope, key)
        return response
    if carries_credentials(response.body):
        kept = StoredAnswer(status=response.status_code, body=None, headers={}, replayable=False)
    else:
        kept = StoredAnswer(status=response.status_code, body=response.body if response.body != "" else None,
                            headers=cast(dict[str, str], dict(response.headers)))
    store.finish(scope, key, kept, int(time.time()))
    return response


def _try_again(response: Response) -> bool:
    """A 409 ``conflict`` says the object was busy (a concurrent change, a step in flight), not what became of
    the request; ``invalid_state`` and the other 4xx are answers and are kept."""
    body = response.body
    return (response.status_code == 409 and isinstance(body, dict)
            and (body.get("error") or {}).get("code") == "conflict")
