"""OpenAPI 3.1 generated from the pydantic models of every registered route."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

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

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(routes, key=lambda s: (s.path, s.method)):
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', spec.path.lower()).strip('_')}",
            "tags": [spec.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in _PARAM.findall(spec.path)
            ]
            + [
                {"name": q.name, "in": "query", "required": q.required, "description": q.description,
                 "schema": q.schema}
                for q in spec.query
            ],
            "responses": {},
        }
        if spec.request is not None:
            body_schema = ref(spec.request, "validation")
            if spec.method == "PATCH":  # the route refuses a PATCH that names no field (422)
                body_schema["minProperties"] = 1
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            }
        success: dict[str, Any] = {"description": "Success"}
        if spec.response is not None:
            success["content"] = {"application/json": {"schema": ref(spec.response, "serialization")}}
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
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _is_request(model: type[BaseModel], routes: list[RouteSpec]) -> bool:
    return any(spec.request is model for spec in routes)
