"""One route's operation in the document: its parameters (path, query, headers, the shared conventions'), its
request body, its answers (success with headers and links, 304, the errors it can answer)."""

from __future__ import annotations

import re
from typing import Any

from gigcore.schemas.openapi.components import ERRORS
from gigcore.schemas.openapi.examples import ULID, example_of
from gigcore.schemas.openapi.routes import RouteSpec, body_required, query_params
from gigcore.schemas.operations import MEDIA_TYPES, OTHER_SUCCESS, STATIC, UNCACHED

_PATH_PARAM = re.compile(r"{(\w+)}")
_TOKEN_FIELDS = frozenset({"access_token", "refresh_token"})

_FIELDS = {
    "name": "fields", "in": "query", "required": False,
    "description": "Comma-separated top-level fields to keep in the answer (id always stays; on a list, each "
                   "item is trimmed). A trimmed answer lacks the fields left out, so it is not the documented "
                   "type: read it as plain JSON, not with a generated model.",
    "schema": {"type": "string", "maxLength": 2000}, "example": "id,title,status",
}
_IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "The ETag of the copy the client holds: 304 with no body when it is still the answer.",
    "schema": {"type": "string"},
}



def route_operation(spec: RouteSpec, routes: list[RouteSpec], schemas: dict[str, Any],
                    ref: Any) -> dict[str, Any]:
    """The operation of ``spec`` (``ref`` gives a model's schema reference in the mode it is used in)."""
    json_get = spec.method == "GET" and (spec.response is not None or spec.key == "GET /openapi.json")
    operation: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.tag],
    }
    if spec.description:
        operation["description"] = spec.description
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "example": ULID,
         "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,255}$"}}
        for name in _PATH_PARAM.findall(spec.path)
    ]
    parameters += [
        {"name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": q.schema}
        for q in (*spec.query, *query_params(spec.query_model))
    ]
    parameters += [
        {"name": h.name, "in": "header", "required": h.required, "description": h.description, "schema": h.schema}
        for h in spec.headers
    ]
    if json_get:
        parameters.append(dict(_FIELDS))
        if spec.key not in UNCACHED:
            parameters.append(dict(_IF_NONE_MATCH))
    if spec.idempotency != "none":
        tokens = spec.response is not None and bool(_TOKEN_FIELDS & set(spec.response.model_fields))
        parameters.append({
            "name": "Idempotency-Key", "in": "header", "required": spec.idempotency == "required",
            "description": ("An answer with tokens is never kept: a retry with the same key and body runs "
                            "again (docs/auth.md)." if tokens else
                            "One key per user action, sent again with the same body on each retry: a retry of "
                            "a request that completed replays its first answer (kept at least 24 h)."),
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "example": "5f0c7c1e-7d1a-4f43-9a51-0d2b1f0a9e11",
        })
    operation["parameters"] = parameters

    if spec.request is not None:
        body_schema = ref(spec.request, "validation")
        if spec.method == "PATCH":  # the route refuses a PATCH that names no field (422)
            body_schema["minProperties"] = 1
        operation["requestBody"] = {
            "required": body_required(spec.method, spec.request),
            "content": {"application/json": {"schema": body_schema,
                                             "example": example_of(body_schema, schemas)}},
        }

    responses: dict[str, Any] = {}
    success: dict[str, Any] = {"description": _success_text(spec)}
    if spec.response is not None:
        schema = ref(spec.response, "serialization")
        success["content"] = {"application/json": {"schema": schema, "example": example_of(schema, schemas)}}
    elif spec.key == "GET /openapi.json":
        success["content"] = {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}
    elif spec.key in MEDIA_TYPES:
        success["content"] = {MEDIA_TYPES[spec.key]: {"schema": {"type": "string"}}}
    headers: dict[str, Any] = {}
    if json_get and spec.key not in UNCACHED:
        headers = {"ETag": {"$ref": "#/components/headers/ETag"},
                   "Cache-Control": {"$ref": "#/components/headers/Cache-Control"}}
    if spec.idempotency != "none":
        headers["Idempotent-Replayed"] = {"$ref": "#/components/headers/Idempotent-Replayed"}
    if headers:
        success["headers"] = headers
    links = _links(spec, routes)
    if links:
        success["links"] = links
    responses[str(spec.status)] = success
    for status, text in OTHER_SUCCESS.get(spec.key, {}).items():
        responses[str(status)] = {**success, "description": text}
        responses[str(status)].pop("links", None)
    if json_get and spec.key not in UNCACHED:
        responses["304"] = {"description": "Not modified: the ETag sent as If-None-Match is still the answer's "
                                           "(no body).",
                            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}
    for status in sorted(_error_statuses(spec)):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    operation["responses"] = dict(sorted(responses.items()))
    operation["security"] = [{"bearerAuth": []}] if spec.auth else []
    return operation


def _error_statuses(spec: RouteSpec) -> set[int]:
    """Every error status the route can answer: its own, and those of the shared conventions."""
    statuses = set(spec.errors) | {500}
    if spec.auth:
        statuses.add(401)
    if spec.method in {"POST", "PUT", "PATCH"}:
        # Any body is read before the view runs: too large (413), not a JSON object (400), a field the route's
        # model does not know, or any field on a route without one (422).
        statuses |= {400, 413, 422}
    if spec.idempotency != "none":
        statuses |= {400, 409, 422}  # a bad or missing key; the first request still running; a key reused
    if spec.method == "GET" and (spec.query_model is not None or spec.query):
        statuses |= {400, 422}
    if spec.key not in STATIC:
        statuses.add(503)  # every other route reads or writes a dependency that may be down
    return {s for s in statuses if s in ERRORS}


def _success_text(spec: RouteSpec) -> str:
    if spec.status == 201:
        return "Created."
    if spec.status == 202:
        return "Accepted: the email is on its way (the answer is the same whether or not it is sent)."
    if spec.status == 204:
        return "Done (no body)."
    return "Success."


def _links(source: RouteSpec, routes: list[RouteSpec]) -> dict[str, Any]:
    """From ``source``'s answer to every route taking a parameter it provides; the target's other path
    parameters come from the source's own path when it has them."""
    provided = dict(source.provides)
    if not provided:
        return {}
    own = set(_PATH_PARAM.findall(source.path))
    links: dict[str, Any] = {}
    for target in sorted(routes, key=lambda s: (s.path, s.method)):
        wanted = _PATH_PARAM.findall(target.path)
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


