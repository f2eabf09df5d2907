"""The HTTP glue every route shares.

Views are declared with :func:`route`. It records their models for ``/openapi.json`` and wraps them so
that, for every route alike:

- the bearer token is verified (one mechanism for the whole API: see docs/auth.md) and the caller is
  available to the view through :func:`principal`;
- the body is read once and validated against the route's model before the view runs (:func:`body`
  hands it over): too deep, not JSON or not an object is a 400, a field the model does not know a 422 (a
  route without a model knows none), and a PATCH must name a field;
- ``Idempotency-Key`` is honoured on every POST (required where the route says so), keyed on the path and
  query the client sent; an answer that carries tokens is never stored (docs/auth.md);
- GET answers honour ``?fields=`` and carry an ``ETag`` (``If-None-Match`` gives 304) and a
  ``Cache-Control``: ``private`` (they answer a signed-in caller), ``max-age`` where the route allows a copy
  that old (the server-side cache serves one too), ``no-cache`` (revalidate with the ETag) otherwise;
  an error is never stored (``no-store``);
- any exception becomes the API's error shape through :func:`gigcore.schemas.errors.error_response`,
  the one mapping.

Chalice itself does not validate bodies: :func:`route` does, with pydantic.

The package, by what each module holds: ``routing`` (:func:`route`, the registry of routes), ``context``
(the request being served: :func:`principal`, :func:`body`'s source), ``bodies`` (reading and validating
bodies), ``idempotency`` (``Idempotency-Key``), ``caching`` (``?fields=``, ``ETag``, ``Cache-Control``),
``responses`` (JSON and error responses), ``middleware`` (:func:`api_conventions`) and ``lists``
(``?limit``/``?cursor``).
"""

from chalicelib.http.bodies import NoBody, body, parse_body, read_json
from chalicelib.http.caching import cache_control
from chalicelib.http.context import (
    ServedRequest,
    current_request,
    first_answer_status,
    principal,
    query_params,
    source_ip,
)
from chalicelib.http.idempotency import CREDENTIAL_FIELDS, Idempotency, carries_credentials, request_digest
from chalicelib.http.middleware import api_conventions
from chalicelib.http.responses import JSON_HEADERS, NO_STORE, error_http_response, json_response, no_content
from chalicelib.http.routing import ROUTES, registered_routes, route

__all__ = [
    "CREDENTIAL_FIELDS",
    "JSON_HEADERS",
    "NO_STORE",
    "ROUTES",
    "Idempotency",
    "NoBody",
    "ServedRequest",
    "api_conventions",
    "body",
    "cache_control",
    "carries_credentials",
    "current_request",
    "error_http_response",
    "first_answer_status",
    "json_response",
    "no_content",
    "parse_body",
    "principal",
    "query_params",
    "read_json",
    "registered_routes",
    "request_digest",
    "route",
    "source_ip",
]
