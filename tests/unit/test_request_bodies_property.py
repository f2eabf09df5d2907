"""Property: any JSON body that a route's request model rejects gets a 4xx in the error shape, never a 5xx.

Runs every route that declares a request model, in process, with fakes behind the services.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.unit.app_on_fakes import app_on_fakes

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def wired():
    with app_on_fakes("p@example.com") as (client, token, routes):
        yield client, token, [r for r in routes if r.request is not None]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rejected_bodies_get_a_4xx_in_the_error_shape(wired, data):
    client, token, routes = wired
    spec = data.draw(st.sampled_from(routes))
    payload = data.draw(json_values | st.dictionaries(st.sampled_from(list(spec.request.model_fields) + ["x"]),
                                                      json_values, max_size=6))
    try:
        spec.request.model_validate(payload)
        rejected = False
    except ValidationError:
        rejected = True
    path = re.sub(r"\{\w+\}", "01JD0000000000000000000000", spec.path)
    answer = getattr(client.http, spec.method.lower())(
        path, body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    # Accepted bodies reach services whose stores are not all faked here (503 is then fair); never a 500.
    assert answer.status_code != 500, (spec.path, payload, answer.body)
    if rejected:
        assert 400 <= answer.status_code < 500
        error = answer.json_body["error"]
        assert set(error) == {"code", "message", "details"} and isinstance(error["details"], list)
