"""The HTTP middleware of the app: correlation id, metrics, the body size limit, Chalice's own errors."""

from __future__ import annotations

import time
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.http.responses import error_http_response
from gigcore import bootstrap
from gigcore.domain.errors import PayloadTooLargeError
from gigcore.schemas.errors import error_for_status, error_response

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
    from aws_lambda_powertools.metrics import MetricUnit  # Powertools: the first request's import, not the app's

    from gigcore.observability import logger, metrics

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
        return error_http_response(error_response(
            PayloadTooLargeError(f"The request body is larger than {limit // 1024} KB.")))
    try:
        response = get_response(request)
    except Exception as exc:
        return error_http_response(error_response(exc))
    payload = response.body
    if response.status_code >= 400 and isinstance(payload, dict) and set(payload) == {"Code", "Message"}:
        status = response.status_code
        code = _CHALICE_ERROR_CODES.get(status, "internal_error" if status >= 500 else "validation_error")
        message = str(payload["Message"]) if status < 500 else "An internal error occurred."
        mapped = error_http_response(error_for_status(status, code, message))
        mapped.headers.update({k: v for k, v in response.headers.items() if k.lower() == "allow"})
        return mapped
    return response
