"""ULID identifiers: 26 characters, time-sortable, returned as strings.

48 bits of milliseconds since the epoch and 80 random bits, in Crockford's base32 (the ULID spec).
Written out here because it is ten lines and importing a package for it costs ~50 ms of cold start.

Ids made by one process in the same millisecond are monotonic (the spec's monotonic variant): the random part
of the second is the first's plus one, so the ledger entries of one request (a hold, then its fee line) list in
the order they were made. Ids of different processes in one millisecond still sort in any order.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


_RANDOM_MAX = (1 << 80) - 1
_last_lock = threading.Lock()
_last: tuple[int, int] = (-1, 0)  # (millisecond, random part) of the newest id this process made


def new_id(now_ms: int | None = None) -> str:
    """A new ULID as its canonical 26-character string, above every id this process made in the same
    millisecond."""
    global _last
    millis = (int(time.time() * 1000) if now_ms is None else now_ms) & ((1 << 48) - 1)
    with _last_lock:
        last_ms, last_random = _last
        # In the millisecond of the last id: one above it (fresh bits again on the ~never reached overflow).
        random = last_random + 1 if millis == last_ms and last_random < _RANDOM_MAX else secrets.randbits(80)
        _last = (millis, random)
    return _encode(millis, 10) + _encode(random, 16)


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
