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

The package, by what each module holds: :mod:`.routes` (what a route declares, and what its models say),
:mod:`.document` (the whole document), :mod:`.operation` (one route's parameters and answers),
:mod:`.components` (the shared error answers and headers), :mod:`.schema_walks` (the component schemas tidied,
answers opened, control characters refused), :mod:`.examples` (an example of every body).
"""

from __future__ import annotations

from gigcore.schemas.openapi.document import build_openapi
from gigcore.schemas.openapi.examples import example_of
from gigcore.schemas.openapi.routes import QueryParam, RouteSpec, body_required, plain, query_params

__all__ = ["QueryParam", "RouteSpec", "body_required", "build_openapi", "example_of", "plain", "query_params"]
