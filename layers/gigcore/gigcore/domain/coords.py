"""Coordinates as the platform keeps them: degrees rounded to :data:`DECIMALS` places (about 0.1 mm).

Every latitude and longitude is quantised once, when a location enters the domain, so the value stored on
the item, the one hashed into the geo index and the one distances are computed from are the same number.
It also keeps numbers inside what DynamoDB can store (a magnitude below 1e-130 is rejected as an underflow).
"""

from __future__ import annotations

DECIMALS = 9


def quantise(degrees: float) -> float:
    """``degrees`` rounded to :data:`DECIMALS` places; ``-0.0`` becomes ``0.0``."""
    return round(float(degrees), DECIMALS) + 0.0


def parse_stored(text: str) -> float:
    """A coordinate as DynamoDB gives it back (decimal text) to the float :func:`quantise` makes of it.

    Text of at most :data:`DECIMALS` places is already such a float (the double nearest to a number of 9
    decimals rounds to itself), so only other text (longer, or in exponent form) pays for the rounding: a
    search decodes a hundred entries a page.
    """
    dot = text.find(".")
    if "e" in text or "E" in text or (dot >= 0 and len(text) - dot - 1 > DECIMALS):
        return quantise(float(text))
    return float(text) + 0.0
