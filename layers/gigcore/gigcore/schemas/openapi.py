"""OpenAPI 3.1 generated from the pydantic models of every registered route (committed as docs/openapi.json).

Bodies and query parameters are both described by the models that validate them, so the document says exactly
what a route enforces. On top of the models, the document says what the shared HTTP conventions do on each
route (docs/api.md): ``Idempotency-Key`` and ``Idempotent-Replayed`` on the POSTs, ``?fields=``, ``ETag`` and
``If-None-Match`` (304) on the GETs, ``Retry-After`` on a 429, 413 wherever a body can be sent. Each operation
has the name a generated client calls it by (:mod:`gigcore.schemas.operations`), an example of every body,
and links: a route that ``provides`` a path parameter (``POST /gigs`` gives ``gig_id`` as
``$response.body#/id``) is linked to every route that takes it, which is how a client (or a stateful test)
goes from creating an object to acting on it.

Answers are open to new fields (no ``additionalProperties: false``: a field added later must not break a
client generated now); request bodies stay closed, since the server refuses a field it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gigcore.schemas.common import CONTROL_FREE, RequestModel
from gigcore.schemas.errors import ErrorEnvelope
from gigcore.schemas.operations import MEDIA_TYPES, OPERATIONS, OTHER_SUCCESS, STATIC, TAGS, UNCACHED

_PARAM = re.compile(r"{(\w+)}")
_TOKEN_FIELDS = frozenset({"access_token", "refresh_token"})

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


# ---- the document ------------------------------------------------------------------------------------

_ERROR_REF = "#/components/schemas/ErrorEnvelope"

#: The shared error answers: status -> (component name, description, example code, example message).
_ERRORS: dict[int, tuple[str, str, str, str]] = {
    400: ("BadRequest", "The request is malformed: not JSON, nested too deep, a bad cursor or a missing header.",
          "validation_error", "The body is not valid JSON."),
    401: ("Unauthorized", "Not signed in, or the access token expired: refresh it once, then sign in again.",
          "unauthorized", "Sign in first: send Authorization: Bearer <access_token>."),
    402: ("PaymentFailed", "The card was declined: ask for another payment method.",
          "payment_failed", "The card was declined."),
    403: ("Forbidden", "The caller's role or relation to the object does not allow this.",
          "forbidden", "Only the gig's owner can do this."),
    404: ("NotFound", "Nothing is found by that id (or the caller may not know it exists).",
          "not_found", "Nothing is found at this address."),
    409: ("Conflict", "The object has moved on (conflict: it was busy, retry; invalid_state: reload it).",
          "invalid_state", "The milestone is not funded."),
    413: ("PayloadTooLarge", "The body is larger than the API takes (256 KB).",
          "payload_too_large", "The request body is larger than 256 KB."),
    422: ("ValidationFailed", "A field is not valid (details name each one), or an Idempotency-Key was reused "
                              "with another request.",
          "validation_error", "The request is not valid."),
    429: ("RateLimited", "Too many requests of this kind: wait Retry-After seconds.",
          "rate_limited", "Too many attempts: try again later."),
    500: ("InternalError", "A fault of the server; the answer says nothing of its cause.",
          "internal_error", "An internal error occurred."),
    503: ("Unavailable", "A dependency (the database, Stripe, search) is down or throttling: retry with backoff.",
          "upstream_unavailable", "A service this request needs is unavailable; try again shortly."),
}

_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "The answer's version: send it back as If-None-Match to be told 304 when unchanged.",
             "schema": {"type": "string"}, "example": '"3f2a9c0d1e4b5a6978877665544332211"'},
    "Cache-Control": {"description": "How long the caller's own copy may be used without asking "
                                     "(private, max-age=N) or that it must be revalidated (no-cache).",
                      "schema": {"type": "string"}, "example": "private, no-cache"},
    "Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                    "schema": {"type": "integer", "minimum": 1}, "example": 30},
    "Idempotent-Replayed": {"description": "Present on a retry with the same Idempotency-Key and body: this is "
                                           "the first request's answer again, and nothing was done twice.",
                            "schema": {"type": "string", "enum": ["true"]}},
}

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
    _control_free(schemas, [refs[(spec.request, "validation")] for spec in routes
                            if spec.request is not None and issubclass(spec.request, RequestModel)])
    response_roots = [refs[(ErrorEnvelope, "serialization")]] + [
        refs[(spec.response, "serialization")] for spec in routes if spec.response is not None]
    _open_answers(schemas, response_roots, request_roots)
    _tidy(schemas)

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for spec in sorted(routes, key=lambda s: (s.path, s.method)):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, routes, schemas, ref)

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
            "responses": _error_responses(),
            "headers": _HEADERS,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "The access_token of POST /auth/login, /auth/signup or /auth/refresh (15 minutes)."}},
        },
    }


def _operation(spec: RouteSpec, routes: list[RouteSpec], schemas: dict[str, Any], ref: Any) -> dict[str, Any]:
    json_get = spec.method == "GET" and (spec.response is not None or spec.key == "GET /openapi.json")
    operation: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.tag],
    }
    if spec.description:
        operation["description"] = spec.description
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "example": _ULID,
         "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,255}$"}}
        for name in _PARAM.findall(spec.path)
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
        responses[str(status)] = {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
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
    return {s for s in statuses if s in _ERRORS}


def _success_text(spec: RouteSpec) -> str:
    if spec.status == 201:
        return "Created."
    if spec.status == 202:
        return "Accepted: the email is on its way (the answer is the same whether or not it is sent)."
    if spec.status == 204:
        return "Done (no body)."
    return "Success."


def _error_responses() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, (name, description, code, message) in sorted(_ERRORS.items()):
        details = [{"field": "budget.min", "issue": "must be at most budget.max"}] if status == 422 else []
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {
                "schema": {"$ref": _ERROR_REF},
                "example": {"error": {"code": code, "message": message, "details": details}}}},
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        out[name] = response
    return out


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


# ---- schema walks ----------------------------------------------------------------------------------------

_NESTED = ("properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf", "prefixItems",
           "propertyNames")


def _children(node: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key in _NESTED:
        value = node.get(key)
        if isinstance(value, dict):
            out.extend(value.values() if key == "properties" else [value])
        elif isinstance(value, list):
            out.extend(value)
    return out


def _reachable(schemas: dict[str, Any], roots: list[Any]) -> set[str]:
    """The names of the component schemas that ``roots`` use, directly or through others."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        target = node.get("$ref")
        if isinstance(target, str):
            name = target.rsplit("/", 1)[-1]
            if name not in seen and name in schemas:
                seen.add(name)
                stack.append(schemas[name])
            continue
        stack.extend(_children(node))
    return seen


def _open_answers(schemas: dict[str, Any], response_roots: list[Any], request_roots: list[Any]) -> None:
    """No ``additionalProperties: false`` in what the server answers: a client generated today must accept the
    fields a later version adds. A schema that requests use too stays closed (the server refuses unknown
    fields); tests/unit/test_openapi_document.py checks that no answer is left with one."""
    requests = _reachable(schemas, request_roots)
    for name in _reachable(schemas, response_roots) - requests:
        stack = [schemas[name]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("additionalProperties") is False:
                    del node["additionalProperties"]
                stack.extend(_children(node))
            elif isinstance(node, list):
                stack.extend(node)


def _tidy(schemas: dict[str, Any]) -> None:
    """Descriptions as plain text, no per-property ``title`` (pydantic's "Owner Id": noise that some
    generators turn into type names), and no ``default: null`` where null is not allowed."""
    def walk(node: Any, in_properties: bool = False) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("description"), str):
            node["description"] = plain(node["description"])
        if in_properties:
            node.pop("title", None)
        if "default" in node and node["default"] is None and node.get("type") not in (None, "null"):
            del node["default"]  # a field that may be left out but not sent as null
        for key in _NESTED:
            value = node.get(key)
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    walk(prop, in_properties=True)
            elif isinstance(value, dict | list):
                walk(value, in_properties=key in {"items", "anyOf", "oneOf", "additionalProperties"})

    for name, schema in schemas.items():
        walk(schema)
        schema["title"] = name  # what generators name the type: one name, one type (MoneyBody is not Money)


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
            if key in _NESTED:
                walk(list(value.values()) if key == "properties" else value)

    walk(roots)


# ---- examples ----------------------------------------------------------------------------------------------

_ULID = "01JDQ8M3Z5W8K2ZC6Y4V7N1PXA"
#: Example values by field name, where the type alone would give a poor one.
_BY_NAME: dict[str, Any] = {
    "email": "ada.obi@example.com", "password": "correct horse battery", "new_password": "a new long passphrase",
    "name": "Ada Obi", "phone": "+2348012345678", "title": "Fix a leaking kitchen tap",
    "description": "The tap under the sink drips all night; parts can be bought on the way.",
    "category": "plumbing", "skills": ["plumbing"], "headline": "Plumber in Lekki, 10 years",
    "bio": "Repairs, fittings and new installations across Lagos Island.",
    "cover_letter": "I can come tomorrow morning with the parts.", "note": "Fixed and tested; photos attached.",
    "reason": "The work was not done.", "comment": "On time and tidy. Would hire again.", "body": "See you at 10?",
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMUpEUTgifQ.c2lnbmF0dXJl",
    "refresh_token": "01JDQ8M3Z5W8K2ZC6Y4V7N1PXB.rT9x2mW8qL4vN0pK",
    "token": "b3f1c9a0e2d84c7f9a6b5d4e3f2a1b0c",
    "payment_method_id": "pm_card_visa", "payment_intent_id": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d",
    "client_secret": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d_secret_4e5f6g", "account_id": "acct_1QJ1xK2eZvKYlo2C",
    "stripe_ref": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d", "client_msg_id": "4f1d2c3b-5a6e-4f70-8a9b-0c1d2e3f4a5b",
    "filename": "invoice.pdf", "content_type": "application/pdf", "size": 48213,
    "key": "attachments/01JDQ8M3Z5W8K2ZC6Y4V7N1PXA/invoice.pdf",
    "attachment_key": "attachments/01JDQ8M3Z5W8K2ZC6Y4V7N1PXA/invoice.pdf",
    "lat": 6.4541, "lng": 3.3947, "radius_km": 10, "distance_km": 2.35, "service_radius_km": 15,
    "estimated_days": 3, "expires_in": 900, "application_count": 2, "unread_count": 1, "rating": 5,
    "average": 4.8, "count": 12, "tz": "Africa/Lagos", "start": "22:00", "end": "07:00", "created": 1764835200,
    "platform": "android", "type": "fixed", "q": "plumber", "deadline": "2026-12-01T17:00:00Z",
    "portfolio_urls": ["https://example.com/portfolio/ada-obi"],
}
_MONEY = {"amount": 1500000, "currency": "NGN"}
_BY_FORMAT = {"date-time": "2026-11-22T10:00:00Z", "email": "ada.obi@example.com",
              "uri": "https://example.com/onboarding/acct_1QJ1xK2eZvKYlo2C"}


def example_of(schema: dict[str, Any], schemas: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """An example value of ``schema`` (references resolved in ``schemas``): the model's own example where it
    gives one, else one made from the field names, formats, enums and bounds. tests/unit/test_openapi_document.py
    checks each body's example against its schema and each request's against its model."""
    if depth > 12:
        return None
    target = schema.get("$ref")
    if isinstance(target, str):
        resolved = schemas[target.rsplit("/", 1)[-1]]
        return example_of(resolved | {k: v for k, v in schema.items() if k != "$ref"}, schemas, name, depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        values = schema["enum"]
        for preferred in (_BY_NAME.get(name), "NGN", "open"):
            if preferred in values:
                return preferred
        return values[0]
    for key in ("anyOf", "oneOf"):
        if key in schema and "type" not in schema:
            variants = [v for v in schema[key] if v.get("type") != "null"]
            if len(variants) < len(schema[key]) and name.endswith("_at") and name not in _BY_NAME:
                return None  # a moment that has not happened yet (funded_at of a pending milestone)
            if variants:
                return example_of(variants[0], schemas, name, depth + 1)
            return None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties: dict[str, Any] = schema.get("properties", {})
        if set(properties) == {"amount", "currency"}:
            return dict(_MONEY)
        return {key: example_of(prop, schemas, key, depth + 1) for key, prop in properties.items()}
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, name.removesuffix("s"), depth + 1)
        if isinstance(_BY_NAME.get(name), list) and all(isinstance(v, str) for v in [item, *_BY_NAME[name]]):
            return list(_BY_NAME[name])
        return [item] if schema.get("maxItems", 1) >= 1 else []
    if kind == "string":
        if name in _BY_NAME and isinstance(_BY_NAME[name], str):
            return _BY_NAME[name]
        if schema.get("format") in _BY_FORMAT:
            return _BY_FORMAT[schema["format"]]
        if name.endswith("_at") or str(schema.get("pattern", "")).startswith("^[0-9]{4}-"):
            return _BY_FORMAT["date-time"]
        if name == "id" or name.endswith("_id") or name.endswith("_by"):
            return _ULID
        if name.endswith("_ids") or name.endswith("_id"):
            return _ULID
        if "default" in schema and isinstance(schema["default"], str):
            return schema["default"]
        text = "Lagos" if name else "text"
        return text.ljust(int(schema.get("minLength", 0)), "x")
    if kind in {"integer", "number"}:
        value = _BY_NAME.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            value = schema.get("default", 1)
        low = schema.get("minimum", schema.get("exclusiveMinimum", value))
        high = schema.get("maximum", value)
        value = min(max(value, low if "minimum" in schema else value), high)
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            value = schema["exclusiveMinimum"] + 1
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return bool(schema.get("default", True))
    if kind == "null":
        return None
    return _BY_NAME.get(name, "value")


def body_required(method: str, model: type[BaseModel]) -> bool:
    """Whether a request to a route with ``model`` must carry a body (the OpenAPI ``requestBody.required`` and
    what :func:`chalicelib.http.parse_body` enforces). A POST whose fields are all optional may come without
    one (``fund`` confirmed later by the app, ``accept`` with the default milestone); a PATCH without a body
    changes nothing and is refused, like any other route whose model has a required field."""
    every_optional = not any(f.is_required() for f in model.model_fields.values())
    return not (method.upper() == "POST" and every_optional)


def _is_request(model: type[BaseModel], routes: list[RouteSpec]) -> bool:
    return any(spec.request is model for spec in routes)
