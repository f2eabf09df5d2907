"""The request a route is serving, as :func:`~chalicelib.http.routing.route` learned it, for the view to read."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chalice.app import Request
from pydantic import BaseModel

from gigcore.domain.errors import UnauthorizedError
from gigcore.domain.users import Principal


@dataclass(frozen=True)
class ServedRequest:
    """The request being served, its caller and its body as the route read it."""

    request: Request
    principal: Principal | None
    #: The body as parsed JSON and as validated by the route's model (None on routes that read it raw).
    data: dict[str, Any] | None = None
    body: BaseModel | None = None
    #: See :func:`first_answer_status`.
    first_status: int | None = None


_served: contextvars.ContextVar[ServedRequest] = contextvars.ContextVar("gigconnect_call")


def served_request() -> ServedRequest:
    """The request being served (inside a route's view)."""
    return _served.get()


@contextmanager
def serving(served: ServedRequest) -> Iterator[None]:
    """Make ``served`` the request being served, for the duration of the block."""
    token = _served.set(served)
    try:
        yield
    finally:
        _served.reset(token)


def current_request() -> Request:
    return _served.get().request


def principal() -> Principal:
    """The authenticated caller (routes declared with ``auth=True``)."""
    who = _served.get().principal
    if who is None:
        raise UnauthorizedError("Sign in first.")
    return who


def source_ip() -> str:
    identity = current_request().context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def query_params() -> dict[str, str]:
    return dict(current_request().query_params or {})


def first_answer_status() -> int | None:
    """On a retry with an Idempotency-Key whose first answer is not replayed (it carried credentials), the
    status the first request answered; None otherwise."""
    return _served.get().first_status
