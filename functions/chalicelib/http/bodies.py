"""Request bodies: read once, checked (size, JSON object, depth) and validated against the route's model."""

from __future__ import annotations

from typing import Any, TypeVar

from chalice.app import Request
from pydantic import BaseModel

from chalicelib.http.context import served_request
from gigcore import bootstrap
from gigcore.domain.errors import ErrorDetail, PayloadTooLargeError, ValidationError
from gigcore.schemas.common import RequestModel
from gigcore.schemas.json_input import load_object
from gigcore.schemas.openapi import body_required

M = TypeVar("M", bound=BaseModel)


def body(model: type[M]) -> M:
    """The request body validated by ``model``.

    :func:`~chalicelib.http.routing.route` has already read and validated the body of the route's declared
    model before the view runs (413 too large, 400 not a JSON object or nested too deep, 422 invalid), so
    this only hands it over.
    """
    served = served_request()
    if isinstance(served.body, model):
        return served.body
    return model.model_validate(served.data if served.data is not None else _read_json(served.request))


def _read_json(request: Request) -> dict[str, Any]:
    return read_json(request, max_bytes=bootstrap.settings().max_body_bytes)


def read_json(request: Request, *, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object (``{}`` when empty): 413 when too large, 400 when not a JSON object or
    nested deeper than :data:`gigcore.schemas.json_input.MAX_DEPTH`."""
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(f"The request body is larger than {max_bytes // 1024} KB.")
    return load_object(raw)


def parse_body(request: Request, model: type[M], *, max_bytes: int) -> M:
    """The request body validated by ``model``: 413 when too large, 400 when not JSON, 422 when invalid."""
    return model.model_validate(read_json(request, max_bytes=max_bytes))


class NoBody(RequestModel):
    """What a route without a request model accepts: nothing (an empty body or ``{}``)."""


def validated_body(request: Request, model: type[BaseModel] | None, method: str
                   ) -> tuple[dict[str, Any], BaseModel]:
    """The body read and validated against the route's declared model, before the view runs.

    A route that declares no model refuses any field (422, each one named). A PATCH must name at least one
    field to change (422): an empty PATCH would answer 200 having done nothing.
    """
    empty = not (request.raw_body or b"").strip()
    if model is not None and empty and method != "PATCH" and body_required(method, model):  # PATCH: below
        raise ValidationError("This request needs a JSON body.", details=[ErrorDetail(field="body", issue="required")])
    data = _read_json(request)
    validated = (model or NoBody).model_validate(data)
    if method == "PATCH" and not validated.model_fields_set:
        raise ValidationError("Name at least one field to change.",
                              details=[ErrorDetail(field="body", issue="no field to change")])
    return data, validated
