"""The API's error shape and the ONE mapping from exceptions to it.

``{"error": {"code", "message", "details": [{"field", "issue"}]}}`` with the matching HTTP status.
Anything that is not a :class:`DomainError` or a pydantic validation error becomes a bare 500 whose
body says nothing about the cause: no stack trace ever reaches a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pydantic
from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict

from gigcore.domain.errors import DomainError, ErrorDetail
from gigcore.observability import SERVICE

logger = Logger(service=SERVICE, child=True)


class ErrorDetailBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    issue: str


class ErrorInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    details: list[ErrorDetailBody] = []


class ErrorEnvelope(BaseModel):
    """Every error answer of the API."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorInfo


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    body: dict[str, object]
    headers: dict[str, str] = field(default_factory=dict)


def _issue(error: dict[str, object]) -> str:
    kind = str(error.get("type", ""))
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    return str(error.get("msg", "invalid"))


def validation_details(exc: pydantic.ValidationError) -> list[ErrorDetail]:
    """Field details of a pydantic error, with dotted paths (``budget.min``, ``skills.0``)."""
    details = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
        details.append(ErrorDetail(field=location or "body", issue=_issue(dict(error))))
    return details


def _answer(status: int, code: str, message: str, details: list[ErrorDetail],
            headers: dict[str, str] | None = None) -> ErrorAnswer:
    body = ErrorEnvelope(
        error=ErrorInfo(
            code=code,
            message=message,
            details=[ErrorDetailBody(field=d.field, issue=d.issue) for d in details],
        )
    ).model_dump()
    return ErrorAnswer(status=status, body=body, headers=dict(headers or {}))


def error_response(exc: BaseException) -> ErrorAnswer:
    """Map any exception raised while serving a request to the API's error answer."""
    if isinstance(exc, DomainError):
        if exc.status >= 500:
            logger.warning("dependency failure: %s", exc.message)
        return _answer(exc.status, exc.code, exc.message, exc.details, exc.headers)
    if isinstance(exc, pydantic.ValidationError):
        return _answer(422, "validation_error", "The request is not valid.", validation_details(exc))
    logger.exception("unhandled error while serving a request")
    return _answer(500, "internal_error", "An internal error occurred.", [])


def error_for_status(status: int, code: str, message: str) -> ErrorAnswer:
    """An error answer for conditions found outside a view (unknown route, wrong method)."""
    return _answer(status, code, message, [])
