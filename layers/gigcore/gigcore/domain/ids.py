"""ULID identifiers: 26 characters, time-sortable, returned as strings.

48 bits of milliseconds since the epoch and 80 random bits, in Crockford's base32 (the ULID spec).
Written out here because it is ten lines and importing a package for it costs ~50 ms of cold start.
"""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(now_ms: int | None = None) -> str:
    """A new ULID as its canonical 26-character string."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    return _encode(millis & ((1 << 48) - 1), 10) + _encode(secrets.randbits(80), 16)


def last_id_of(now_ms: int) -> str:
    """The greatest ULID of the millisecond ``now_ms``: every id made up to then sorts at or below it."""
    return _encode(now_ms & ((1 << 48) - 1), 10) + _ALPHABET[-1] * 16


def is_id(value: str) -> bool:
    """True when ``value`` is a canonical ULID string (Crockford base32, upper case)."""
    return bool(_ULID.match(value))


def id_time_ms(value: str) -> int:
    """The millisecond timestamp inside a ULID."""
    millis = 0
    for char in value[:10]:
        millis = millis * 32 + _ALPHABET.index(char)
    return millis
