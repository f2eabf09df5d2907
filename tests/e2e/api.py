"""The end-to-end tests' way to call the REST API: the Python client generated from docs/openapi.json.

The client (``clients/python/gigconnect_client``, by openapi-python-client: see infra/openapi.py) is the API's
first user: a test that calls through it fails when the document stops describing what the server does (a
route, a field, a status, a header the test uses). Each call answers the generated ``Response``; :func:`ok`
checks its status and hands over the parsed model.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from gigconnect_client import AuthenticatedClient, Client
from gigconnect_client.api.auth import sign_up
from gigconnect_client.models import ErrorEnvelope, SessionOut, SignupRequest, SignupRequestRolesItem
from gigconnect_client.types import Response

T = TypeVar("T")

PASSWORD = "correct horse battery"
TIMEOUT = httpx.Timeout(30)


def anonymous(runtime: Any) -> Client:
    return Client(base_url=runtime.api_url, timeout=TIMEOUT, raise_on_unexpected_status=True)


def signed_in(runtime: Any, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=runtime.api_url, token=token, timeout=TIMEOUT,
                               raise_on_unexpected_status=True)


def ok(response: Response[T | ErrorEnvelope], status: int = 200) -> T:
    """The parsed answer of a call that must succeed with ``status``."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    parsed = response.parsed
    assert parsed is not None and not isinstance(parsed, ErrorEnvelope), response.content[:2000]
    return parsed


def refused(response: Response[Any], status: int) -> ErrorEnvelope:
    """The error of a call that must be refused with ``status``, in the API's error shape."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert isinstance(response.parsed, ErrorEnvelope), response.content[:2000]
    return response.parsed


def key() -> str:
    """A fresh Idempotency-Key: one per user action."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Account:
    client: AuthenticatedClient
    session: SessionOut
    email: str

    @property
    def user_id(self) -> str:
        return self.session.user.id

    @property
    def token(self) -> str:
        return self.session.access_token


def sign_up_as(runtime: Any, role: str, name: str = "E2E", prefix: str = "e2e") -> Account:
    """A new account with ``role`` (``client`` or ``freelancer``), signed in."""
    email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
    body = SignupRequest(email=email, password=PASSWORD, name=name, roles=[SignupRequestRolesItem(role)])
    session = ok(sign_up.sync_detailed(client=anonymous(runtime), body=body), 201)
    return Account(signed_in(runtime, session.access_token), session, email)
