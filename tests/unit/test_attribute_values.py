"""The attribute values every DynamoDB adapter writes (adapters/dynamo_table.py): a number is written as JSON
(and so PynamoDB's NumberAttribute) writes it, so an item reads the same whichever path wrote it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from gigcore.adapters.dynamo_table import number, text


@given(st.one_of(st.integers(min_value=-(10**15), max_value=10**15),
                 st.floats(allow_nan=False, allow_infinity=False, width=64)))
def test_a_number_is_written_as_json_writes_it(value: float) -> None:
    assert number(value) == {"N": json.dumps(value)}
    assert float(number(value)["N"]) == value


def test_coordinates_keep_every_digit() -> None:
    assert number(6.524412345678901) == {"N": "6.524412345678901"}
    assert text("GIG#01") == {"S": "GIG#01"}
