"""The HTTP glue every route shares.

Views are declared with :func:`route`. It records their models for ``/openapi.json`` and wraps them so
that, for every route alike:

- the bearer token is verified (one mechanism for the whole API: see docs/auth.md) and the caller is
  available to the view through :func:`principal`;
- the body is read once and validated against the route's model before the view runs (:func:`body`
  hands it over): too deep, not JSON or not an object is a 400, a field the model does not know a 422 (a
  route without a model knows none), and a PATCH must name a field;
- ``Idempotency-Key`` is honoured on every POST (required where the route says so), keyed on the path and
  query the client sent; an answer that carries tokens is never stored (docs/auth.md);
- GET answers honour ``?fields=`` and carry an ``ETag`` (``If-None-Match`` gives 304) and a
  ``Cache-Control``: ``private`` (they answer a signed-in caller), ``max-age`` where the route allows a copy
  that old (the server-side cache serves one too), ``no-cache`` (revalidate with the ETag) otherwise;
  an error is never stored (``no-store``);
- any exception becomes the API's error shape through :func:`gigcore.schemas.errors.error_response`,
  the one mapping.

Chalice itself does not validate bodies: :func:`route` does, with pydantic.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar, cast
from urllib.parse import quote

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel

from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    IdempotencyKeyReusedError,
    MalformedRequestError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
    ValidationError,
)
from gigcore.domain.users import Principal
from gigcore.observability import logger, metrics
from gigcore.ports.auth import StoredAnswer
from gigcore.schemas.common import RequestModel
from gigcore.schemas.errors import ErrorAnswer, error_for_status, error_response
from gigcore.schemas.json_input import load_object
from gigcore.schemas.openapi import QueryParam, RouteSpec, body_required

M = TypeVar("M", bound=BaseModel)
Idempotency = Literal["optional", "required", "none"]

#: Every route declared with :func:`route`, in declaration order.
ROUTES: list[RouteSpec] = []

JSON_HEADERS = {"Content-Type": "application/json"}

_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Call:
    request: Request
    principal: Principal | None
    #: The body as parsed JSON and as validated by the route's model (None on routes that read it raw).
    data: dict[str, Any] | None = None
    body: BaseModel | None = None
    #: See :func:`first_answer_status`.
    first_status: int | None = None


_call: contextvars.ContextVar[Call] = contextvars.ContextVar("gigconnect_call")


def current_request() -> Request:
    return _call.get().request


def principal() -> Principal:
    """The authenticated caller (routes declared with ``auth=True``)."""
    who = _call.get().principal
    if who is None:
        raise UnauthorizedError("Sign in first.")
    return who


def source_ip() -> str:
    identity = current_request().context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def query_params() -> dict[str, str]:
    return dict(current_request().query_params or {})


NO_STORE = {"Cache-Control": "no-store"}


def answer(error: ErrorAnswer) -> Response:
    return Response(body=error.body, status_code=error.status, headers={**JSON_HEADERS, **NO_STORE, **error.headers})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def no_content() -> Response:
    return Response(body="", status_code=204, headers={})


def body(model: type[M]) -> M:
    """The request body validated by ``model``.

    :func:`route` has already read and validated the body of the route's declared model before the view
    runs (413 too large, 400 not a JSON object or nested too deep, 422 invalid), so this only hands it over.
    """
    call = _call.get()
    if isinstance(call.body, model):
        return call.body
    return model.model_validate(call.data if call.data is not None else _read_json(call.request))


def _read_json(request: Request) -> dict[str, Any]:
    return read_json(request, max_bytes=bootstrap.settings().max_body_bytes)


def read_json(request: Request, *, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object (``{}`` when empty): 413 when too large, 400 when not a JSON object or
    nested deeper than :data:`gigcore.schemas.json_input.MAX_DEPTH`."""
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(f"The request body is larger than {max_bytes // 1024} KB.")
    return load_object(raw)


def parse_body(request: Request, model: type[M], *, max_bytes: int) -> M:
    """The request body validated by ``model``: 413 when too large, 400 when not JSON, 422 when invalid."""
    return model.model_validate(read_json(request, max_bytes=max_bytes))


class NoBody(RequestModel):
    """What a route without a request model accepts: nothing (an empty body or ``{}``)."""


def _validated_body(request: Request, model: type[BaseModel] | None, method: str
                    ) -> tuple[dict[str, Any], BaseModel]:
    """The body read and validated against the route's declared model, before the view runs.

    A route that declares no model refuses any field (422, each one named). A PATCH must name at least one
    field to change (422): an empty PATCH would answer 200 having done nothing.
    """
    empty = not (request.raw_body or b"").strip()
    if model is not None and empty and method != "PATCH" and body_required(method, model):  # PATCH: below
        raise ValidationError("This request needs a JSON body.", details=[ErrorDetail(field="body", issue="required")])
    data = _read_json(request)
    validated = (model or NoBody).model_validate(data)
    if method == "PATCH" and not validated.model_fields_set:
        raise ValidationError("Name at least one field to change.",
                              details=[ErrorDetail(field="body", issue="no field to change")])
    return data, validated


#: What an id in a path can be: ours are ULIDs, Stripe's are ``pi_...`` (at most 255 characters, Stripe says).
_PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


def _known_path_ids(params: dict[str, Any]) -> None:
    """A path whose ids could not be ids names nothing: 404 here, before such a value reaches a key (DynamoDB
    refuses keys over 2 KB, and that refusal would read as an outage)."""
    for value in params.values():
        if not _PATH_ID.fullmatch(str(value)):
            raise NotFoundError("Nothing is found at this address.")


def _authenticate(request: Request) -> Principal:
    header: str = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("Sign in first: send Authorization: Bearer <access_token>.")
    return bootstrap.container().access_tokens.verify(token.strip(), utc_now())


# ---- sparse fields and ETags (GET) ----------------------------------------------------------------


def _sparse(data: Any, fields: set[str]) -> Any:
    def keep(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: v for k, v in item.items() if k in fields or k == "id"}
        return item

    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data | {"items": [keep(item) for item in data["items"]]}
    return keep(data)


def cache_control(*, auth: bool, max_age: float | None) -> str:
    """What a GET's 200 may be kept as: only by the caller's own client when signed in, and for
    ``max_age`` seconds without asking again where the route allows it."""
    scope = "private, " if auth else ""
    return f"{scope}max-age={int(max_age)}" if max_age else f"{scope}no-cache"


def _finish_get(request: Request, response: Response, caching: str) -> Response:
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or not isinstance(response.body, dict | list):
        return response
    response.headers.setdefault("Cache-Control", caching)
    fields_param: str | None = request.query_params.get("fields") if request.query_params else None
    if fields_param:
        wanted = {f.strip() for f in fields_param.split(",") if f.strip()}
        response.body = _sparse(response.body, wanted)
    if "Cache-Control" in response.headers and "no-store" in response.headers["Cache-Control"]:
        return response
    canonical = json.dumps(response.body, sort_keys=True, separators=(",", ":"), default=str)
    etag = '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'
    response.headers["ETag"] = etag
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(body="", status_code=304,
                        headers={"ETag": etag, "Cache-Control": response.headers["Cache-Control"]})
    return response


# ---- idempotency (POST) ---------------------------------------------------------------------------


def _idempotency_key(request: Request, mode: Idempotency) -> str | None:
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


#: Fields whose value is a credential: an answer carrying one is never kept in the idempotency store.
CREDENTIAL_FIELDS = frozenset({"access_token", "refresh_token"})


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


def first_answer_status() -> int | None:
    """On a retry with an Idempotency-Key whose first answer is not replayed (it carried credentials), the
    status the first request answered; None otherwise."""
    return _call.get().first_status


def _run_idempotently(request: Request, template: str, key: str, scope: str, run: Callable[[], Response]
                      ) -> Response:
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
            token = _call.set(replace(_call.get(), first_status=replay.status))
            try:
                return run()
            finally:
                _call.reset(token)
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


def route(
    bp: Blueprint,
    path: str,
    *,
    method: str = "GET",
    summary: str,
    request: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = True,
    idempotency: Idempotency | None = None,
    query: tuple[QueryParam, ...] = (),
    query_model: type[BaseModel] | None = None,
    provides: dict[str, str] | None = None,
    headers: tuple[QueryParam, ...] = (),
    errors: tuple[int, ...] = (),
    tag: str = "default",
    max_age: Callable[[], float] | None = None,
    raw_body: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view: registers it with Chalice and with the OpenAPI registry.

    The body is read and validated against ``request`` before the view runs; a route without a
    ``request`` model refuses any field. ``raw_body``: the view reads the body itself (a signed webhook).
    ``max_age`` (GET only): how many seconds a client may keep the answer without asking again, read from
    settings when the request is served. ``query_model`` is the model the view validates the query string with
    (its fields are the documented query parameters); ``provides`` names the path parameters that the success
    answer gives a value for (``{"gig_id": "$response.body#/id"}``), from which OpenAPI links are generated.
    """
    mode: Idempotency = idempotency or ("optional" if method == "POST" else "none")
    ROUTES.append(RouteSpec(path=path, method=method, summary=summary, request=request, response=response,
                            status=status, auth=auth, query=query, errors=errors, tag=tag,
                            idempotency=mode, query_model=query_model,
                            provides=tuple(sorted((provides or {}).items())), headers=headers))

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(**params: Any) -> Any:
            req = bp.current_request
            try:
                who = _authenticate(req) if auth else None
                data, validated = (None, None) if raw_body else _validated_body(req, request, method)
                token = _call.set(Call(request=req, principal=who, data=data, body=validated))
                try:
                    return _serve(req, who, params)
                finally:
                    _call.reset(token)
            except Exception as exc:  # the one mapping decides what the client sees
                return answer(error_response(exc))

        def _serve(req: Request, who: Principal | None, params: dict[str, Any]) -> Response:
            def run() -> Response:
                try:
                    _known_path_ids(params)
                    result = view(**params)
                except Exception as exc:
                    return answer(error_response(exc))
                return result if isinstance(result, Response) else json_response(result, status)

            if mode != "none":
                key = _idempotency_key(req, mode)
                if key is not None:
                    scope = who.user_id if who else f"anon:{source_ip()}"
                    return _run_idempotently(req, path, key, scope, run)
            result = run()
            if method != "GET":
                return result
            return _finish_get(req, result, cache_control(auth=auth, max_age=max_age() if max_age else None))

        guarded.__name__ = view.__name__
        guarded.__doc__ = view.__doc__
        bp.route(path, methods=[method])(guarded)
        return view

    return register


_CHALICE_ERROR_CODES = {
    400: "validation_error",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def api_conventions(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: correlation id, the body size limit, Chalice's own errors in the contract's shape."""
    started = time.perf_counter()
    logger.set_correlation_id(request.context.get("requestId"))
    try:
        return _conventions(request, get_response)
    finally:
        metrics.add_metadata(key="route", value=str(request.context.get("resourcePath", "unknown")))
        metrics.add_metric(name="RequestLatency", unit=MetricUnit.Milliseconds,
                           value=(time.perf_counter() - started) * 1000)
        metrics.flush_metrics()
        metrics.clear_metrics()


def _conventions(request: Request, get_response: Callable[[Request], Response]) -> Response:
    limit = bootstrap.settings().max_body_bytes
    if len(request.raw_body or b"") > limit:
        return answer(error_response(PayloadTooLargeError(f"The request body is larger than {limit // 1024} KB.")))
    try:
        response = get_response(request)
    except Exception as exc:
        return answer(error_response(exc))
    payload = response.body
    if response.status_code >= 400 and isinstance(payload, dict) and set(payload) == {"Code", "Message"}:
        status = response.status_code
        code = _CHALICE_ERROR_CODES.get(status, "internal_error" if status >= 500 else "validation_error")
        message = str(payload["Message"]) if status < 500 else "An internal error occurred."
        mapped = answer(error_for_status(status, code, message))
        mapped.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
        return mapped
    return response


def registered_routes(app_routes: dict[str, dict[str, Any]]) -> list[RouteSpec]:
    """The declared routes that this app actually serves (for its OpenAPI document)."""
    return [spec for spec in ROUTES if spec.method in app_routes.get(spec.path, {})]


# ---- lists (?limit, ?cursor) ----------------------------------------------------------------------------


def list_page(path: str) -> tuple[int, dict[str, str] | None, dict[str, str]]:
    """``?limit`` and the position the caller's ``?cursor`` names (checked: bound to ``path``, the caller and
    the other query parameters); with the raw parameters for :func:`list_cursor`."""
    from gigcore.schemas.contracts import PageParams

    raw = query_params()
    params = PageParams.model_validate(raw)
    after: dict[str, Any] | None = None
    if params.cursor:
        after = bootstrap.container().cursors.decode(params.cursor, scope=f"{path}:{principal().user_id}",
                                                     params=raw)
    return params.limit, ({str(k): str(v) for k, v in after.items()} if after else None), raw


def list_cursor(after: dict[str, str] | None, path: str, raw: dict[str, str]) -> str | None:
    """The ``next_cursor`` of a page that ends at ``after`` (None at the end)."""
    if after is None:
        return None
    return bootstrap.container().cursors.encode(after, scope=f"{path}:{principal().user_id}", params=raw)
