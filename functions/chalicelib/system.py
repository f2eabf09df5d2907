"""``GET /health`` and ``GET /openapi.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.http import json_response, registered_routes, route
from chalicelib.imports import on_first_use
from gigcore import __version__, bootstrap
from gigcore.schemas.health import Dependencies, HealthResponse
from gigcore.schemas.openapi import build_openapi

if TYPE_CHECKING:
    from gigcore.services import health as health_checks
else:
    health_checks = on_first_use("gigcore.services.health")


bp = Blueprint(__name__)


@route(bp, "/health", summary="Health of the API and its dependencies", response=HealthResponse,
       auth=False, errors=(503,), tag="system")
def health() -> Response:
    states = health_checks.check_health(bootstrap.container().probes)
    healthy = all(value == "ok" for value in states.values())
    body = HealthResponse(status="ok" if healthy else "degraded", dependencies=Dependencies.model_validate(states))
    return json_response(body, 200 if healthy else 503, {"Cache-Control": "no-store"})


_openapi_cache: dict[str, Any] = {}


@route(bp, "/openapi.json", summary="This API's OpenAPI 3.1 document", auth=False, tag="system")
def openapi() -> Response:
    if "doc" not in _openapi_cache:
        routes = registered_routes(bp.current_app.routes)
        _openapi_cache["doc"] = build_openapi(routes, title="GigConnect API", version=__version__)
    return json_response(_openapi_cache["doc"])
