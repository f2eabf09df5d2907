"""The document: the routes' models as component schemas, one operation per route, the shared components."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gigcore.schemas.common import RequestModel
from gigcore.schemas.errors import ErrorEnvelope
from gigcore.schemas.openapi.components import HEADERS, error_responses
from gigcore.schemas.openapi.operation import route_operation
from gigcore.schemas.openapi.routes import RouteSpec
from gigcore.schemas.openapi.schema_walks import control_free, open_answers, tidy
from gigcore.schemas.operations import TAGS

DESCRIPTION = """\
The REST API of GigConnect, a marketplace for local gigs: clients post work, freelancers nearby apply, and
milestones are paid through escrow. The WebSocket API (chat, presence, live notifications) is described by
docs/asyncapi.json.

Conventions every client must know are in docs/api.md: the error shape ({"error": {"code", "message",
"details"}}), Bearer tokens and their refresh, Idempotency-Key on every POST (required where money moves),
cursors (next_cursor), ?fields= and ETag/If-None-Match on reads, rate limits (429 with Retry-After). Answers
may gain fields at any time: ignore the ones you do not know.
"""

SERVERS: list[dict[str, Any]] = [
    {"url": "http://127.0.0.1:8000", "description": "The local stack (`make run`)"},
    {"url": "https://{apiId}.execute-api.{region}.amazonaws.com/{stage}",
     "description": "A deployed stage (the stack's EndpointURL output)",
     "variables": {"apiId": {"default": "api-id", "description": "The REST API's id"},
                   "region": {"default": "us-east-1"},
                   "stage": {"enum": ["dev", "prod"], "default": "prod"}}},
]



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
    schemas: dict[str, Any] = definitions.get("$defs", {})
    request_roots = [refs[(spec.request, "validation")] for spec in routes if spec.request is not None]
    control_free(schemas, [refs[(spec.request, "validation")] for spec in routes
                           if spec.request is not None and issubclass(spec.request, RequestModel)])
    response_roots = [refs[(ErrorEnvelope, "serialization")]] + [
        refs[(spec.response, "serialization")] for spec in routes if spec.response is not None]
    open_answers(schemas, response_roots, request_roots)
    tidy(schemas)

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(routes, key=lambda s: (s.path, s.method)):
        paths.setdefault(spec.path, {})[spec.method.lower()] = route_operation(spec, routes, schemas, ref)

    used_tags = {spec.tag for spec in routes}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": DESCRIPTION,
                 "summary": "Local gigs, applications, contracts and escrowed milestone payments."},
        "servers": SERVERS,
        "security": [{"bearerAuth": []}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items() if name in used_tags]
        + [{"name": name} for name in sorted(used_tags - set(TAGS))],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": error_responses(),
            "headers": HEADERS,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "The access_token of POST /auth/login, /auth/signup or /auth/refresh (15 minutes)."}},
        },
    }


def _is_request(model: type[BaseModel], routes: list[RouteSpec]) -> bool:
    return any(spec.request is model for spec in routes)
