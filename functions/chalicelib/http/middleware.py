"""The HTTP middleware of the app: correlation id, the body size limit, Chalice's own errors.

No metric line per request: API Gateway's Latency and IntegrationLatency and Lambda's Duration (which the alarms
and the dashboard read) already say how long each request took, so an EMF line of our own would be ingested
(~350 bytes a request) for nothing."""

from __future__ import annotations

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
    from gigcore.observability import logger  # Powertools: the first request's import, not the app's

    logger.set_correlation_id(request.context.get("requestId"))
    return _conventions(request, get_response)


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
