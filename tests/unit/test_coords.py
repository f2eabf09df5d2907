"""Coordinates are quantised once, on the way into the domain."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from gigcore.domain.coords import parse_stored, quantise
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


@given(st.floats(min_value=-180, max_value=180, allow_nan=False),
       st.sampled_from(["repr", "fixed", "exponent", "long"]))
def test_a_stored_coordinate_reads_back_as_the_quantised_value(degrees, form):
    """issue 20 item 3: decoding an index entry skips the rounding only where it changes nothing."""
    value = quantise(degrees)
    text = {"repr": repr(value), "fixed": f"{value:.9f}", "exponent": f"{value:e}", "long": f"{degrees:.15f}"}[form]
    assert parse_stored(text) == quantise(float(text))
    assert math.copysign(1, parse_stored(text)) == math.copysign(1, quantise(float(text)))


def test_an_entry_read_back_equals_the_one_written():
    written = GeoEntry(id="g1", lat=6.5244, lng=-3.0000000004, category="plumbing", skills=frozenset({"pipes"}),
                       amount_min=1, amount_max=2, currency="NGN", availability="available", reach_km=2.00049)
    read = GeoEntry.stored("g1", parse_stored("6.5244"), parse_stored("-3"), category="plumbing",
                           skills=frozenset({"pipes"}), amount_min=1, amount_max=2, currency="NGN",
                           availability="available", reach_km=2.00049)
    assert read == written and hash(read) == hash(written) and read.key == written.key
