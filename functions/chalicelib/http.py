"""The HTTP glue every route shares: body parsing, the route registry for OpenAPI, error answers.

Views are declared with :func:`route`, which records their models for ``/openapi.json`` and wraps them so
that any exception becomes the API's error shape through :func:`gigcore.schemas.errors.error_response`
(the one mapping). Chalice itself does not validate bodies: :func:`parse_body` does, with pydantic.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel

from gigcore import bootstrap
from gigcore.domain.errors import ErrorDetail, MalformedRequestError, PayloadTooLargeError
from gigcore.observability import logger, metrics
from gigcore.schemas.errors import ErrorAnswer, error_for_status, error_response
from gigcore.schemas.openapi import QueryParam, RouteSpec

M = TypeVar("M", bound=BaseModel)

#: Every route declared with :func:`route`, in declaration order.
ROUTES: list[RouteSpec] = []

JSON_HEADERS = {"Content-Type": "application/json"}


def answer(error: ErrorAnswer) -> Response:
    return Response(body=error.body, status_code=error.status, headers=JSON_HEADERS | error.headers)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    return Response(body=body, status_code=status, headers=JSON_HEADERS | (headers or {}))


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
    query: tuple[QueryParam, ...] = (),
    errors: tuple[int, ...] = (),
    tag: str = "default",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view: registers it with Chalice and with the OpenAPI registry."""
    ROUTES.append(RouteSpec(path=path, method=method, summary=summary, request=request, response=response,
                            status=status, auth=auth, query=query, errors=errors, tag=tag))

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(**params: Any) -> Any:
            try:
                result = view(**params)
            except Exception as exc:  # the one mapping decides what the client sees
                return answer(error_response(exc))
            if isinstance(result, Response):
                return result
            return json_response(result, status)

        guarded.__name__ = view.__name__
        guarded.__doc__ = view.__doc__
        bp.route(path, methods=[method])(guarded)
        return view

    return register


def parse_body(request: Request, model: type[M], *, max_bytes: int) -> M:
    """The request body validated by ``model``: 413 over ``max_bytes``, 400 when not JSON, 422 when invalid."""
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(f"The request body is larger than {max_bytes // 1024} KB.")
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedRequestError(
                "The request body is not valid JSON.", details=[ErrorDetail(field="body", issue="invalid JSON")]
            ) from exc
    if not isinstance(data, dict):
        raise MalformedRequestError(
            "The request body must be a JSON object.", details=[ErrorDetail(field="body", issue="not an object")]
        )
    return model.model_validate(data)


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
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        status = response.status_code
        code = _CHALICE_ERROR_CODES.get(status, "internal_error" if status >= 500 else "validation_error")
        message = str(body["Message"]) if status < 500 else "An internal error occurred."
        mapped = answer(error_for_status(status, code, message))
        mapped.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
        return mapped
    return response


def registered_routes(app_routes: dict[str, dict[str, Any]]) -> list[RouteSpec]:
    """The declared routes that this app actually serves (for its OpenAPI document)."""
    return [spec for spec in ROUTES if spec.method in app_routes.get(spec.path, {})]
