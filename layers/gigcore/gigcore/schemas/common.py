"""Models shared by every area: the base request model and list envelopes."""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

T = TypeVar("T")

#: C0 control characters but tab, line feed and carriage return, and DEL: no text a person types has them,
#: and a NUL cuts strings short in whatever reads them later (emails, push payloads, logs, search).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control_characters(value: Any) -> None:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError("control characters (such as NUL) are not allowed in text")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _without_control_characters(key)
            _without_control_characters(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            _without_control_characters(inner)


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422), and so is text with control characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # Nested request models check their own fields; this sees strings, lists and dicts of them.
        _without_control_characters(value)
        return value


class ResponseModel(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(extra="forbid")


class Page(ResponseModel, Generic[T]):
    """``{"items": [...], "next_cursor": "<opaque>" | null}``."""

    items: list[T]
    next_cursor: str | None = None
