"""Every domain error's API code and HTTP status (the error mapping reads them off the class; issue 17: the
classes name them in their class line)."""

from __future__ import annotations

import pytest

from gigcore.domain import errors
from gigcore.ports.payments import PaymentRefusedError
from gigcore.schemas.errors import error_response
from gigcore.services.escrow._core import LostRaceError

CONTRACT = [
    (errors.DomainError, "internal_error", 500),
    (errors.ValidationError, "validation_error", 422),
    (errors.MalformedRequestError, "validation_error", 400),
    (errors.PayloadTooLargeError, "payload_too_large", 413),
    (errors.UnauthorizedError, "unauthorized", 401),
    (errors.ForbiddenError, "forbidden", 403),
    (errors.NotFoundError, "not_found", 404),
    (errors.MethodNotAllowedError, "method_not_allowed", 405),
    (errors.UnsupportedMediaTypeError, "unsupported_media_type", 415),
    (errors.ConflictError, "conflict", 409),
    (errors.TransactionConflictError, "conflict", 409),
    (errors.InvalidStateError, "invalid_state", 409),
    (errors.IdempotencyKeyReusedError, "idempotency_key_reused", 422),
    (errors.PaymentFailedError, "payment_failed", 402),
    (errors.UpstreamUnavailableError, "upstream_unavailable", 503),
    (errors.RetryableError, "upstream_unavailable", 503),
    (LostRaceError, "conflict", 409),
]


@pytest.mark.parametrize(("error", "code", "status"), CONTRACT, ids=[c[0].__name__ for c in CONTRACT])
def test_each_error_answers_with_its_code_and_status(error: type[errors.DomainError], code: str, status: int):
    answer = error_response(error("Something is off."))
    assert (answer.status, answer.body["error"]["code"], answer.body["error"]["message"]) == (
        status, code, "Something is off.")


def test_a_refusal_of_the_provider_is_an_invalid_state_with_its_reason():
    answer = error_response(PaymentRefusedError("Stripe refused.", reason="account_closed"))
    assert (answer.status, answer.body["error"]["code"], answer.body["error"]["details"]) == (
        409, "invalid_state", [{"field": "payment", "issue": "account_closed"}])


def test_a_rate_limited_answer_says_when_to_come_back():
    answer = error_response(errors.RateLimitedError("Too many requests.", retry_after_seconds=0))
    assert (answer.status, answer.body["error"]["code"], answer.headers) == (429, "rate_limited", {"Retry-After": "1"})


def test_every_domain_error_is_in_the_table():
    def subclasses(cls: type[errors.DomainError]) -> set[type[errors.DomainError]]:
        return {cls}.union(*(subclasses(s) for s in cls.__subclasses__()))

    listed = {c[0] for c in CONTRACT} | {errors.RateLimitedError, PaymentRefusedError}
    assert {c for c in subclasses(errors.DomainError) if c.__module__.startswith("gigcore")} <= listed
