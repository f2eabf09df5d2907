"""Fixtures of the security suite: the app in process (as API Gateway calls it) and the objects it attacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Api
from tests.security.world import World


@pytest.fixture(scope="package")
def sec_api(stack_env: dict[str, str]) -> Iterator[Api]:
    import os

    from app import app
    from chalice.test import Client

    if os.environ.get("GIGCONNECT_TEST_API_KIND") == "http":  # the HTTP API's events (tests/http_api.py)
        from tests.http_api import HttpApiClient

        yield Api(HttpApiClient(app))
        return
    with Client(app) as client:
        yield Api(client)


@pytest.fixture(scope="package")
def sec_world(sec_api: Api, stack_env: dict[str, str], deliver: Callable[[str], int]) -> World:
    """People and one object of each kind, made once for the whole suite."""
    return World(sec_api, stack_env, deliver)


@pytest.fixture(scope="package")
def sec_stripe(local_services: Any) -> Any:
    """The local Stripe, read as the platform's account sees it."""
    import stripe

    return stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                               max_network_retries=0).v1
