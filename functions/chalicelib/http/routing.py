"""The :func:`route` convention: how every view is declared, authenticated, fed its body and answered."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel

from chalicelib.http.bodies import validated_body
from chalicelib.http.caching import cache_control, finish_get
from chalicelib.http.context import ServedRequest, serving, source_ip
from chalicelib.http.idempotency import Idempotency, idempotency_key, run_idempotently
from chalicelib.http.responses import error_http_response, json_response
from gigcore import bootstrap
from gigcore.domain.errors import NotFoundError, UnauthorizedError
from gigcore.domain.users import Principal
from gigcore.schemas.errors import error_response
from gigcore.schemas.openapi import QueryParam, RouteSpec

#: Every route declared with :func:`route`, in declaration order.
ROUTES: list[RouteSpec] = []

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
    container = bootstrap.container()
    return container.access_tokens.verify(token.strip(), container.clock.now())


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
                data, validated = (None, None) if raw_body else validated_body(req, request, method)
                with serving(ServedRequest(request=req, principal=who, data=data, body=validated)):
                    return _serve(req, who, params)
            except Exception as exc:  # the one mapping decides what the client sees
                return error_http_response(error_response(exc))

        def _serve(req: Request, who: Principal | None, params: dict[str, Any]) -> Response:
            def run() -> Response:
                try:
                    _known_path_ids(params)
                    result = view(**params)
                except Exception as exc:
                    return error_http_response(error_response(exc))
                return result if isinstance(result, Response) else json_response(result, status)

            if mode != "none":
                key = idempotency_key(req, mode)
                if key is not None:
                    scope = who.user_id if who else f"anon:{source_ip()}"
                    return run_idempotently(req, path, key, scope, run)
            result = run()
            if method != "GET":
                return result
            return finish_get(req, result, cache_control(auth=auth, max_age=max_age() if max_age else None))

        guarded.__name__ = view.__name__
        guarded.__doc__ = view.__doc__
        bp.route(path, methods=[method])(guarded)
        return view

    return register


def registered_routes(app_routes: dict[str, dict[str, Any]]) -> list[RouteSpec]:
    """The declared routes that this app actually serves (for its OpenAPI document)."""
    return [spec for spec in ROUTES if spec.method in app_routes.get(spec.path, {})]
