"""Coordinates are quantised once, on the way into the domain."""

from __future__ import annotations

import math

from gigcore.domain.coords import quantise
from gigcore.domain.geo import GeoEntry
from gigcore.domain.users import Location


def test_quantise_rounds_to_nine_decimals_and_drops_negative_zero():
    assert quantise(3.39471234567891) == 3.394712346
    assert quantise(1e-200) == 0.0 and math.copysign(1, quantise(-1e-200)) == 1.0
    assert quantise(-180) == -180.0 and quantise(90) == 90.0


def test_locations_and_index_entries_hold_the_quantised_value():
    assert Location(1e-315, -3.0000000004) == Location(0.0, -3.0)
    entry = GeoEntry(id="g1", lat=1e-315, lng=179.99900000000002)
    assert (entry.lat, entry.lng) == (0.0, 179.999)
