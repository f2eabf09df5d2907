"""Cursors of the lists: each bound to the path, the caller and the other query parameters it was made for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gigcore import bootstrap
from gigcore.schemas.contracts import PageParams


def position(cursor: str | None, path: str, caller_id: str, params: dict[str, str]) -> dict[str, Any] | None:
    """Where the caller's ``cursor`` says a page starts (None without one); 400 for a cursor made for another
    path, caller or query."""
    if not cursor:
        return None
    return bootstrap.container().cursors.decode(cursor, scope=f"{path}:{caller_id}", params=params)


def cursor_at(after: Mapping[str, Any] | None, path: str, caller_id: str, params: dict[str, str]) -> str | None:
    """The ``next_cursor`` of a page that ends at ``after`` (None at the end)."""
    if not after:
        return None
    return bootstrap.container().cursors.encode(dict(after), scope=f"{path}:{caller_id}", params=params)


def page_params(path: str, caller_id: str, raw: dict[str, str]) -> tuple[int, dict[str, str] | None]:
    """``?limit`` and the position the caller's ``?cursor`` names, of a plain list."""
    params = PageParams.model_validate(raw)
    after = position(params.cursor, path, caller_id, raw)
    return params.limit, ({str(k): str(v) for k, v in after.items()} if after else None)
