"""Property: any JSON body that a route's request model rejects gets a 4xx in the error shape, never a 5xx.

Runs every route that declares a request model, in process, with fakes behind the services.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gigcore import bootstrap
from gigcore.domain.users import User
from gigcore.services import auth
from tests.fakes import (
    FakeHasher,
    FakeIdempotency,
    FakeLimiter,
    FakeOneTimeTokens,
    FakeQueue,
    FakeRefreshTokens,
    FakeUsers,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def wired():
    bootstrap.reset()
    container = bootstrap.container()
    users = FakeUsers()
    ports = auth.AuthPorts(users=users, hasher=FakeHasher(), access=container.access_tokens,
                           refresh=FakeRefreshTokens(), one_time=FakeOneTimeTokens(), limiter=FakeLimiter(),
                           queue=FakeQueue())
    container.__dict__.update(users=users, auth_ports=ports, idempotency=FakeIdempotency(),
                              rate_limiter=ports.limiter, queue=ports.queue)
    user = User(id="01JD0000000000000000000000", email="p@example.com", name="P", roles=("client", "freelancer"),
                password_hash="x", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    users.add(user)
    token, _ = container.access_tokens.issue(user, datetime.now(UTC))
    from app import app

    from chalicelib.http import registered_routes

    with Client(app) as client:
        yield client, token, [r for r in registered_routes(app.routes) if r.request is not None]
    bootstrap.reset()


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
