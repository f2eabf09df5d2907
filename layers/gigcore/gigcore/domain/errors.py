"""The one domain error hierarchy.

Services and adapters raise these; exactly one function (:func:`gigcore.schemas.errors.error_response`)
turns them into the API's error shape. Each class carries its API code and HTTP status so the
mapping never looks at message text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    """One field-level problem: ``field`` is a dotted path (``budget.min``)."""

    field: str
    issue: str


class DomainError(Exception):
    """Base of every error a client may see. ``code`` and ``status`` are the API contract's."""

    code = "internal_error"
    status = 500

    def __init__(
        self,
        message: str,
        *,
        details: list[ErrorDetail] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers or {}


class ValidationError(DomainError):
    """The request is well-formed JSON but its content is not acceptable."""

    code = "validation_error"
    status = 422


class MalformedRequestError(ValidationError):
    """The request cannot be parsed at all (bad JSON, bad query parameter type)."""

    status = 400


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"
    status = 413


class UnauthorizedError(DomainError):
    code = "unauthorized"
    status = 401


class ForbiddenError(DomainError):
    code = "forbidden"
    status = 403


class NotFoundError(DomainError):
    code = "not_found"
    status = 404


class MethodNotAllowedError(DomainError):
    code = "method_not_allowed"
    status = 405


class UnsupportedMediaTypeError(DomainError):
    code = "unsupported_media_type"
    status = 415


class ConflictError(DomainError):
    code = "conflict"
    status = 409


class TransactionConflictError(ConflictError):
    """A write's transaction was cancelled by an item the caller added to it (``extra``), or by a concurrent
    transaction on one of its items. ``failed`` holds the indexes within ``extra`` whose condition failed
    (empty when a concurrent transaction was the cause). Callers re-read and decide, or retry."""

    def __init__(self, message: str, *, failed: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.failed = failed


class InvalidStateError(DomainError):
    """The resource exists but its state does not allow the action."""

    code = "invalid_state"
    status = 409


class IdempotencyKeyReusedError(DomainError):
    code = "idempotency_key_reused"
    status = 422


class RateLimitedError(DomainError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_seconds))})
        self.retry_after_seconds = retry_after_seconds


class PaymentFailedError(DomainError):
    code = "payment_failed"
    status = 402


class UpstreamUnavailableError(DomainError):
    """A dependency (DynamoDB, SQS, Stripe, search) is down or throttling; safe to retry."""

    code = "upstream_unavailable"
    status = 503


class RetryableError(UpstreamUnavailableError):
    """Throttling or a transient fault: a consumer should let the message be retried."""
