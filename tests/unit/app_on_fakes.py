"""The real Chalice app in process with fakes behind authentication and idempotency, for unit tests of the HTTP
conventions (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from chalice.test import Client

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


@contextmanager
def app_on_fakes(email: str) -> Iterator[tuple[Client, str, list[Any]]]:
    """The app's test client, an access token of a client and freelancer signed up as ``email``, and the
    declared routes the app serves."""
    bootstrap.reset()
    container = bootstrap.container()
    users = FakeUsers()
    ports = auth.AuthPorts(users=users, hasher=FakeHasher(), access=container.access_tokens,
                           refresh=FakeRefreshTokens(), one_time=FakeOneTimeTokens(), limiter=FakeLimiter(),
                           queue=FakeQueue())
    container.__dict__.update(users=users, auth_ports=ports, idempotency=FakeIdempotency(),
                              rate_limiter=ports.limiter, queue=ports.queue)
    user = User(id="01JD0000000000000000000000", email=email, name=email[0].upper(),
                roles=("client", "freelancer"), password_hash="x", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    users.add(user)
    token, _ = container.access_tokens.issue(user, datetime.now(UTC))
    from app import app

    from chalicelib.http import registered_routes

    try:
        with Client(app) as client:
            yield client, token, registered_routes(app.routes)
    finally:
        bootstrap.reset()
