"""End-to-end fixtures: the local runtime over real sockets.

The runtime runs its own pollers, which consume the same queues as the in-process pollers of the
integration tests; it is therefore started for the e2e package only and stopped after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="package")
def runtime(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The REST and WebSocket gateways, pollers and two workers, on free ports, against the test stack."""
    from infra.local.runtime.process import LocalRuntime

    logs = tmp_path_factory.mktemp("runtime")
    # Every e2e sign-up comes from 127.0.0.1: the per-address limit is raised for this package.
    # A socket's session is read again on every frame here, so that a logout is seen by the next frame.
    environment = stack_env | {"GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "1000",
                               "GIGCONNECT_CHAT_SESSION_CHECK_SECONDS": "0"}
    local = LocalRuntime(environment, workers=2, log_file=logs / "runtime.log")
    local.start()
    try:
        yield local
    finally:
        local.stop()


def signup_over_http(runtime: Any) -> dict[str, Any]:
    """A new client account, through the REST gateway."""
    import uuid

    import httpx

    body = {"email": f"e2e-{uuid.uuid4().hex[:12]}@example.com", "password": "correct horse battery",
            "name": "E2E", "roles": ["client"]}
    answer = httpx.post(f"{runtime.api_url}/auth/signup", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    session: dict[str, Any] = answer.json()
    return session


@pytest.fixture
def socket_url(runtime: Any) -> str:
    """The WebSocket URL with a fresh user's access token."""
    return f"{runtime.ws_url}/?token={signup_over_http(runtime)['access_token']}"
