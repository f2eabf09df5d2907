"""The one domain error hierarchy.

Services and adapters raise these; exactly one function (:func:`gigcore.schemas.errors.error_response`)
turns them into the API's error shape. Each class carries its API code and HTTP status so the
mapping never looks at message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class ErrorDetail:
    """One field-level problem: ``field`` is a dotted path (``budget.min``)."""

    field: str
    issue: str


class DomainError(Exception):
    """Base of every error a client may see. ``code`` and ``status`` are the API contract's: a subclass names
    its own in its class line (``class NotFoundError(DomainError, code="not_found", status=404)``) and
    inherits what it does not name."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init_subclass__(cls, *, code: str | None = None, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status

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


class ValidationError(DomainError, code="validation_error", status=422):
    """The request is well-formed JSON but its content is not acceptable."""


class MalformedRequestError(ValidationError, status=400):
    """The request cannot be parsed at all (bad JSON, bad query parameter type)."""


class PayloadTooLargeError(DomainError, code="payload_too_large", status=413):
    """The request's body is larger than the API takes."""


class UnauthorizedError(DomainError, code="unauthorized", status=401):
    """No valid credentials: a missing, expired or revoked token, a wrong password."""


class ForbiddenError(DomainError, code="forbidden", status=403):
    """The caller is known but may not do this."""


class NotFoundError(DomainError, code="not_found", status=404):
    """The resource does not exist (or the caller may not know it does)."""


class MethodNotAllowedError(DomainError, code="method_not_allowed", status=405):
    """The path exists, but not with this method."""


class UnsupportedMediaTypeError(DomainError, code="unsupported_media_type", status=415):
    """The request's Content-Type is not one the API reads (JSON)."""


class ConflictError(DomainError, code="conflict", status=409):
    """Another change got there first (a version or a uniqueness condition did not hold)."""


class TransactionConflictError(ConflictError):
    """A write's transaction was cancelled by an item the caller added to it (``extra``), or by a concurrent
    transaction on one of its items. ``failed`` holds the indexes within ``extra`` whose condition failed
    (empty when a concurrent transaction was the cause). Callers re-read and decide, or retry."""

    def __init__(self, message: str, *, failed: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.failed = failed


class InvalidStateError(DomainError, code="invalid_state", status=409):
    """The resource exists but its state does not allow the action."""


class IdempotencyKeyReusedError(DomainError, code="idempotency_key_reused", status=422):
    """An Idempotency-Key already answered another request."""


class RateLimitedError(DomainError, code="rate_limited", status=429):
    """Too many requests of this kind; ``Retry-After`` says when to try again."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after_seconds))})
        self.retry_after_seconds = retry_after_seconds


class PaymentFailedError(DomainError, code="payment_failed", status=402):
    """The payment provider refused the payment (a declined card)."""


class UpstreamUnavailableError(DomainError, code="upstream_unavailable", status=503):
    """A dependency (DynamoDB, SQS, Stripe, search) is down or throttling; safe to retry."""


class RetryableError(UpstreamUnavailableError):
    """Throttling or a transient fault: a consumer should let the message be retried."""
