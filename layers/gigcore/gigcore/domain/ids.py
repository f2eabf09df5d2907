"""ULID identifiers: 26 characters, time-sortable, returned as strings."""

from __future__ import annotations

import re

from ulid import ULID

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_id() -> str:
    """A new ULID as its canonical 26-character string."""
    return str(ULID())


def is_id(value: str) -> bool:
    """True when ``value`` is a canonical ULID string (Crockford base32, upper case)."""
    return bool(_ULID.match(value)) and value[0] <= "7"
