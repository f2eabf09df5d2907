"""The id's order as an integer: what breaks ties between equal sort values without reading stored ids.

The key is kept in two u64 fast fields (``id_hi``, ``id_lo``), read column-wise for all the rows tied at a
page's edge (``docs/search.md``).
"""

from __future__ import annotations

import re

#: The largest u64: the low half of a key.
U64 = (1 << 64) - 1

_ULID_DIGITS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, in ASCII order
_ULID_LENGTH = 26
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")
_AS_BASE32 = str.maketrans(_ULID_DIGITS, "0123456789abcdefghijklmnopqrstuv")  # for int(..., 32)


def id_key(doc_id: str) -> int:
    """A 128-bit integer that sorts as ``doc_id`` does among strings: ``a < b`` when ``key(a) < key(b)``.

    A canonical ULID maps to its own 128-bit value, so distinct ULIDs never share a key. Any other string
    maps to the value of the greatest ULID not above it (0 when there is none): the order is kept, but such
    ids may share a key with each other or with that ULID, and equal keys are ordered by the ids themselves.
    """
    if _ULID.match(doc_id):
        return int(doc_id.translate(_AS_BASE32), 32)
    digits: list[int] = []
    for position, char in enumerate(doc_id[:_ULID_LENGTH]):
        top = 8 if position == 0 else 32  # a ULID's first character is 0-7 (128 bits)
        digit = _ULID_DIGITS.find(char)
        if 0 <= digit < top:
            digits.append(digit)
            continue
        below = [d for d in range(top) if _ULID_DIGITS[d] < char]
        if below:  # the greatest ULID with this prefix and a smaller character here
            return _ulid_value([*digits, below[-1]] + [31] * (_ULID_LENGTH - position - 1))
        return _below(digits)
    if len(digits) == _ULID_LENGTH:  # a ULID, or a ULID followed by more characters
        return _ulid_value(digits)
    return _below(digits)  # a proper prefix of ULIDs: every ULID with it sorts above it


def _below(prefix: list[int]) -> int:
    """The greatest ULID that sorts below every string starting with ``prefix``, or 0."""
    for position in range(len(prefix) - 1, -1, -1):
        if prefix[position] > 0:
            return _ulid_value([*prefix[:position], prefix[position] - 1] + [31] * (_ULID_LENGTH - position - 1))
    return 0


def _ulid_value(digits: list[int]) -> int:
    value = 0
    for digit in digits:
        value = value * 32 + digit
    return value


def id_key_halves(key: int) -> tuple[int, int]:
    """``key`` as the values of its two fast fields (high, low)."""
    return key >> 64, key & U64


def id_key_fields(doc_id: str) -> dict[str, int]:
    """The fast fields that hold ``doc_id``'s key, as a document's fields."""
    high, low = id_key_halves(id_key(doc_id))
    return {"id_hi": high, "id_lo": low}
