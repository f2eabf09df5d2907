"""Models shared by every area: the base request model and list envelopes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(extra="forbid")


class Page(ResponseModel, Generic[T]):
    """``{"items": [...], "next_cursor": "<opaque>" | null}``."""

    items: list[T]
    next_cursor: str | None = None
