"""GET answers: ``?fields=`` (sparse fields), ``Cache-Control`` and the ``ETag`` (``If-None-Match`` gives 304)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chalice.app import Request, Response


def _sparse(data: Any, fields: set[str]) -> Any:
    def keep(item: Any) -> Any:
        if isinstance(item, dict):
            return {k: v for k, v in item.items() if k in fields or k == "id"}
        return item

    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data | {"items": [keep(item) for item in data["items"]]}
    return keep(data)


def cache_control(*, auth: bool, max_age: float | None) -> str:
    """What a GET's 200 may be kept as: only by the caller's own client when signed in, and for
    ``max_age`` seconds without asking again where the route allows it."""
    scope = "private, " if auth else ""
    return f"{scope}max-age={int(max_age)}" if max_age else f"{scope}no-cache"


def finish_get(request: Request, response: Response, caching: str) -> Response:
    """A GET's answer with its sparse fields, ``Cache-Control`` and ``ETag``, or a 304 when the client's copy
    is current; an error is never stored."""
    if response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or not isinstance(response.body, dict | list):
        return response
    response.headers.setdefault("Cache-Control", caching)
    fields_param: str | None = request.query_params.get("fields") if request.query_params else None
    if fields_param:
        wanted = {f.strip() for f in fields_param.split(",") if f.strip()}
        response.body = _sparse(response.body, wanted)
    if "Cache-Control" in response.headers and "no-store" in response.headers["Cache-Control"]:
        return response
    canonical = json.dumps(response.body, sort_keys=True, separators=(",", ":"), default=str)
    etag = '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'
    response.headers["ETag"] = etag
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(body="", status_code=304,
                        headers={"ETag": etag, "Cache-Control": response.headers["Cache-Control"]})
    return response
