"""Lists: ``?limit`` and ``?cursor`` (bound to the path, the caller and the other query parameters)."""

from __future__ import annotations

from typing import Any

from chalicelib.http.context import principal, query_params
from gigcore import bootstrap


def list_page(path: str) -> tuple[int, dict[str, str] | None, dict[str, str]]:
    """``?limit`` and the position the caller's ``?cursor`` names (checked: bound to ``path``, the caller and
    the other query parameters); with the raw parameters for :func:`list_cursor`."""
    from gigcore.schemas.contracts import PageParams

    raw = query_params()
    params = PageParams.model_validate(raw)
    after: dict[str, Any] | None = None
    if params.cursor:
        after = bootstrap.container().cursors.decode(params.cursor, scope=f"{path}:{principal().user_id}",
                                                     params=raw)
    return params.limit, ({str(k): str(v) for k, v in after.items()} if after else None), raw


def list_cursor(after: dict[str, str] | None, path: str, raw: dict[str, str]) -> str | None:
    """The ``next_cursor`` of a page that ends at ``after`` (None at the end)."""
    if after is None:
        return None
    return bootstrap.container().cursors.encode(after, scope=f"{path}:{principal().user_id}", params=raw)
