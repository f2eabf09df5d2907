"""End-to-end fixtures: the local runtime over real sockets, or a deployed stage (`make smoke`).

The runtime runs its own pollers, which consume the same queues as the in-process pollers of the
integration tests; it is therefore started for the e2e package only and stopped after it.

With ``GIGCONNECT_SMOKE_API_URL`` and ``GIGCONNECT_SMOKE_WS_URL`` set (``make smoke URL=... WS=...``) no local
stack is started: the same tests speak to that stage's REST and WebSocket APIs, and the tests that need the
local stack's insides (its secrets, its Stripe, its ``@connections`` endpoint, its gateway's timings) are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

SMOKE_API_URL = os.environ.get("GIGCONNECT_SMOKE_API_URL", "").rstrip("/")
SMOKE_WS_URL = os.environ.get("GIGCONNECT_SMOKE_WS_URL", "").rstrip("/")


@dataclass(frozen=True)
class DeployedStage:
    """A deployed stage's two endpoints, standing where the local runtime stands."""

    api_url: str
    ws_url: str

    @property
    def ws_port(self) -> int:
        pytest.skip("the local gateway's @connections endpoint: not reachable on a deployed stage")


def local_only(reason: str) -> None:
    """Skip the calling test when the e2e tests are aimed at a deployed stage."""
    if SMOKE_API_URL:
        pytest.skip(f"local stack only: {reason}")


if SMOKE_API_URL:

    @pytest.fixture(scope="session")
    def stack_env() -> dict[str, str]:
        pytest.skip("local stack only: reads or writes the local stack's own settings and services")

    @pytest.fixture(scope="session")
    def local_services() -> Any:
        pytest.skip("local stack only: drives the local Stripe and services")


def aws_calls_dir(factory: pytest.TempPathFactory) -> Any:
    """Where the runtime's worker processes record their AWS calls (one directory per test session)."""
    path = factory.getbasetemp() / "aws-calls"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="package")
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The REST and WebSocket gateways, pollers and two workers, on free ports, against the test stack; or
    the deployed stage named by ``GIGCONNECT_SMOKE_API_URL``/``GIGCONNECT_SMOKE_WS_URL``."""
    if SMOKE_API_URL:
        if not SMOKE_WS_URL:
            pytest.exit("GIGCONNECT_SMOKE_WS_URL (make smoke WS=wss://...) is required with the API URL", 2)
        yield DeployedStage(SMOKE_API_URL, SMOKE_WS_URL)
        return
    from infra.local.runtime.process import LocalRuntime

    stack_env: dict[str, str] = request.getfixturevalue("stack_env")
    logs = tmp_path_factory.mktemp("runtime")
    # Every e2e sign-up comes from 127.0.0.1: the per-address limit is raised for this package.
    # A socket's session is read again on every frame here, so that a logout is seen by the next frame.
    # Every AWS call of every function is recorded for test_zz_iam_by_calls.py.
    environment = stack_env | {"GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "1000",
                               "GIGCONNECT_CHAT_SESSION_CHECK_SECONDS": "0",
                               "GIGCONNECT_RECORD_AWS_CALLS": str(aws_calls_dir(tmp_path_factory))}
    # GIGCONNECT_TEST_API_KIND=http: the gateway makes an HTTP API's events (payload format 1.0), not the REST API's.
    local = LocalRuntime(environment, workers=2, log_file=logs / "runtime.log",
                         api_kind=os.environ.get("GIGCONNECT_TEST_API_KIND", "rest"))
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
