"""OpenAPI 3.1 generated from the pydantic models of every registered route.

Bodies and query parameters are both described by the models that validate them, so the document says exactly
what a route enforces. Links are generated too: a route that ``provides`` a path parameter (``POST /gigs``
gives ``gig_id`` as ``$response.body#/id``) is linked to every route that takes it, which is how a client (or
a stateful test) goes from creating an object to acting on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gigcore.schemas.common import CONTROL_FREE, RequestModel
from gigcore.schemas.errors import ErrorEnvelope

_PARAM = re.compile(r"{(\w+)}")
_TOKEN_FIELDS = frozenset({"access_token", "refresh_token"})


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
    def operation_id(self) -> str:
        return f"{self.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', self.path.lower()).strip('_')}"


def build_openapi(routes: list[RouteSpec], *, title: str, version: str) -> dict[str, Any]:
    models: list[type[BaseModel]] = [ErrorEnvelope]
    for spec in routes:
        for model in (spec.request, spec.response):
            if model is not None and model not in models:
                models.append(model)
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation" if _is_request(model, routes) else "serialization") for model in models
    ]
    refs, definitions = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas = definitions.get("$defs", {})
    _control_free(schemas, [refs[(spec.request, "validation")] for spec in routes
                            if spec.request is not None and issubclass(spec.request, RequestModel)])

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(routes, key=lambda s: (s.path, s.method)):
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "operationId": spec.operation_id,
            "tags": [spec.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _PARAM.findall(spec.path)
            ]
            + [
                {"name": q.name, "in": "query", "required": q.required, "description": q.description,
                 "schema": q.schema}
                for q in (*spec.query, *query_params(spec.query_model))
            ]
            + [
                {"name": h.name, "in": "header", "required": h.required, "description": h.description,
                 "schema": h.schema}
                for h in spec.headers
            ],
            "responses": {},
        }
        if spec.request is not None:
            body_schema = ref(spec.request, "validation")
            if spec.method == "PATCH":  # the route refuses a PATCH that names no field (422)
                body_schema["minProperties"] = 1
            operation["requestBody"] = {
                "required": body_required(spec.method, spec.request),
                "content": {"application/json": {"schema": body_schema}},
            }
        success: dict[str, Any] = {"description": "Success"}
        if spec.response is not None:
            success["content"] = {"application/json": {"schema": ref(spec.response, "serialization")}}
        links = _links(spec, routes)
        if links:
            success["links"] = links
        operation["responses"][str(spec.status)] = success
        error_statuses = set(spec.errors) | ({401} if spec.auth else set())
        if spec.request is not None:
            error_statuses |= {400, 413, 422}
        for status in sorted(error_statuses | {500}):
            operation["responses"][str(status)] = {
                "description": "Error",
                "content": {"application/json": {"schema": ref(ErrorEnvelope, "serialization")}},
            }
        if spec.auth:
            operation["security"] = [{"bearerAuth": []}]
        if spec.idempotency != "none":
            tokens = spec.response is not None and bool(_TOKEN_FIELDS & set(spec.response.model_fields))
            operation["parameters"].append({
                "name": "Idempotency-Key", "in": "header", "required": spec.idempotency == "required",
                "description": ("An answer with tokens is never kept: a retry with the same key and body runs "
                                "again (docs/auth.md)." if tokens else
                                "Replays the first answer for the same key and body (kept at least 24 h)."),
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            })
        paths.setdefault(spec.path, {})[spec.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


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
        description = str(prop.pop("description", ""))
        prop.pop("title", None)
        prop.pop("default", None)
        variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
        if len(variants) == 1:
            prop |= variants[0]
        elif variants:
            prop["anyOf"] = variants
        params.append(QueryParam(name, description, required=name in required, schema=prop))
    return params


def _links(source: RouteSpec, routes: list[RouteSpec]) -> dict[str, Any]:
    """From ``source``'s answer to every route taking a parameter it provides; the target's other path
    parameters come from the source's own path when it has them."""
    provided = dict(source.provides)
    if not provided:
        return {}
    own = set(_PARAM.findall(source.path))
    links: dict[str, Any] = {}
    for target in sorted(routes, key=lambda s: (s.path, s.method)):
        wanted = _PARAM.findall(target.path)
        if target is source or not wanted or not set(wanted) & set(provided):
            continue
        parameters: dict[str, str] = {}
        for name in wanted:
            if name in provided:
                parameters[name] = provided[name]
            elif name in own:
                parameters[name] = f"$request.path.{name}"
        if len(parameters) != len(wanted):
            continue
        links[target.operation_id] = {"operationId": target.operation_id, "parameters": parameters}
    return links


def _control_free(schemas: dict[str, Any], roots: list[Any]) -> None:
    """Every string of a request body refuses control characters (``RequestModel``); say so in its schema: a
    pattern where it has none, the two patterns together (``allOf``) where it has one."""
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen and name in schemas:
                seen.add(name)
                walk(schemas[name])
            return
        if node.get("type") == "string" and "enum" not in node and "const" not in node:
            if "pattern" not in node:
                node["pattern"] = CONTROL_FREE
            elif node["pattern"] != CONTROL_FREE:
                node["allOf"] = [*node.get("allOf", []), {"pattern": CONTROL_FREE}]
        for key, value in node.items():
            if key in {"properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf", "prefixItems",
                       "propertyNames"}:
                walk(list(value.values()) if key == "properties" else value)

    walk(roots)


def body_required(method: str, model: type[BaseModel]) -> bool:
    """Whether a request to a route with ``model`` must carry a body (the OpenAPI ``requestBody.required`` and
    what :func:`chalicelib.http.parse_body` enforces). A POST whose fields are all optional may come without
    one (``fund`` confirmed later by the app, ``accept`` with the default milestone); a PATCH without a body
    changes nothing and is refused, like any other route whose model has a required field."""
    every_optional = not any(f.is_required() for f in model.model_fields.values())
    return not (method.upper() == "POST" and every_optional)


def _is_request(model: type[BaseModel], routes: list[RouteSpec]) -> bool:
    return any(spec.request is model for spec in routes)
