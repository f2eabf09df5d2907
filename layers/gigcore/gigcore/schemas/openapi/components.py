"""The components every operation refers to: the shared error answers (one per status) and response headers."""

from __future__ import annotations

from typing import Any

_ERROR_REF = "#/components/schemas/ErrorEnvelope"

#: The shared error answers: status -> (component name, description, example code, example message).
ERRORS: dict[int, tuple[str, str, str, str]] = {
    400: ("BadRequest", "The request is malformed: not JSON, nested too deep, a bad cursor or a missing header.",
          "validation_error", "The body is not valid JSON."),
    401: ("Unauthorized", "Not signed in, or the access token expired: refresh it once, then sign in again.",
          "unauthorized", "Sign in first: send Authorization: Bearer <access_token>."),
    402: ("PaymentFailed", "The card was declined: ask for another payment method.",
          "payment_failed", "The card was declined."),
    403: ("Forbidden", "The caller's role or relation to the object does not allow this.",
          "forbidden", "Only the gig's owner can do this."),
    404: ("NotFound", "Nothing is found by that id (or the caller may not know it exists).",
          "not_found", "Nothing is found at this address."),
    409: ("Conflict", "The object has moved on (conflict: it was busy, retry; invalid_state: reload it).",
          "invalid_state", "The milestone is not funded."),
    413: ("PayloadTooLarge", "The body is larger than the API takes (256 KB).",
          "payload_too_large", "The request body is larger than 256 KB."),
    422: ("ValidationFailed", "A field is not valid (details name each one), or an Idempotency-Key was reused "
                              "with another request.",
          "validation_error", "The request is not valid."),
    429: ("RateLimited", "Too many requests of this kind: wait Retry-After seconds.",
          "rate_limited", "Too many attempts: try again later."),
    500: ("InternalError", "A fault of the server; the answer says nothing of its cause.",
          "internal_error", "An internal error occurred."),
    503: ("Unavailable", "A dependency (the database, Stripe, search) is down or throttling: retry with backoff.",
          "upstream_unavailable", "A service this request needs is unavailable; try again shortly."),
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "The answer's version: send it back as If-None-Match to be told 304 when unchanged.",
             "schema": {"type": "string"}, "example": '"3f2a9c0d1e4b5a6978877665544332211"'},
    "Cache-Control": {"description": "How long the caller's own copy may be used without asking "
                                     "(private, max-age=N) or that it must be revalidated (no-cache).",
                      "schema": {"type": "string"}, "example": "private, no-cache"},
    "Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                    "schema": {"type": "integer", "minimum": 1}, "example": 30},
    "Idempotent-Replayed": {"description": "Present on a retry with the same Idempotency-Key and body: this is "
                                           "the first request's answer again, and nothing was done twice.",
                            "schema": {"type": "string", "enum": ["true"]}},
}


def error_responses() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, (name, description, code, message) in sorted(ERRORS.items()):
        details = [{"field": "budget.min", "issue": "must be at most budget.max"}] if status == 422 else []
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {
                "schema": {"$ref": _ERROR_REF},
                "example": {"error": {"code": code, "message": message, "details": details}}}},
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        out[name] = response
    return out

