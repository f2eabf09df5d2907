"""What the OpenAPI document knows of a route (:class:`RouteSpec`), and what it reads from a route's models: the
query parameters a model validates, whether a body is required, docstrings as plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from gigcore.schemas.operations import OPERATIONS


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str = ""
    required: bool = False
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class RouteSpec:
    """What the OpenAPI document needs to know of one route."""

    path: str
    method: str
    summary: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    tag: str = "default"
    query: tuple[QueryParam, ...] = ()
    errors: tuple[int, ...] = ()
    idempotency: str = "none"
    #: The model that validates the query string (its fields become the query parameters).
    query_model: type[BaseModel] | None = None
    #: Path parameters this route's success answer gives values for: name -> runtime expression.
    provides: tuple[tuple[str, str], ...] = ()
    #: Request headers the route reads (besides Authorization and Idempotency-Key).
    headers: tuple[QueryParam, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str:
        """The name given in :data:`OPERATIONS`, else one made of the method and the path (``postGigsGigIdCancel``)."""
        known = OPERATIONS.get(self.key)
        if known is not None:
            return known.id
        words = [self.method.lower(), *re.split(r"[^A-Za-z0-9]+", self.path)]
        return "".join(w if i == 0 else w[:1].upper() + w[1:] for i, w in enumerate(words) if w)

    @property
    def description(self) -> str:
        known = OPERATIONS.get(self.key)
        return known.description if known is not None else ""



# ---- descriptions without markup -------------------------------------------------------------------

_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``|`([^`]+)`")


def plain(text: str) -> str:
    """A docstring as a client developer reads it in a generated client: no reStructuredText roles or literal
    markers, each paragraph on one line."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    text = _LITERAL.sub(lambda m: m.group(1) or m.group(2), text)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)



def query_params(model: type[BaseModel] | None) -> list[QueryParam]:
    """The query parameters that ``model`` validates, each with the JSON Schema of its field (an optional
    field's ``null`` left out: a query parameter is absent, never null)."""
    if model is None:
        return []
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = plain(str(prop.pop("description", "")))
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]  # absent, never null
        variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
        if len(variants) == 1:
            prop |= variants[0]
        elif variants:
            prop["anyOf"] = variants
        params.append(QueryParam(name, description, required=name in required, schema=prop))
    return params



def body_required(method: str, model: type[BaseModel]) -> bool:
    """Whether a request to a route with ``model`` must carry a body (the OpenAPI ``requestBody.required`` and
    what :func:`chalicelib.http.parse_body` enforces). A POST whose fields are all optional may come without
    one (``fund`` confirmed later by the app, ``accept`` with the default milestone); a PATCH without a body
    changes nothing and is refused, like any other route whose model has a required field."""
    every_optional = not any(f.is_required() for f in model.model_fields.values())
    return not (method.upper() == "POST" and every_optional)

