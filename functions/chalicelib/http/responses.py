"""The responses every route gives: JSON, no content, and an error in the contract's shape."""

from __future__ import annotations

from typing import Any

from chalice.app import Response
from pydantic import BaseModel

from gigcore.schemas.errors import ErrorAnswer

JSON_HEADERS = {"Content-Type": "application/json"}
NO_STORE = {"Cache-Control": "no-store"}


def error_http_response(error: ErrorAnswer) -> Response:
    """The error answer as the HTTP response (never stored by a cache)."""
    return Response(body=error.body, status_code=error.status, headers={**JSON_HEADERS, **NO_STORE, **error.headers})


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def no_content() -> Response:
    return Response(body="", status_code=204, headers={})
