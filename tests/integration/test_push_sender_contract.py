"""The ``PushSender`` contract, run against SNS (moto server, the platform applications made by the local stack)
and the fake: a device keeps its endpoint, a disabled or forgotten endpoint answers False."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from gigcore.domain.notifications import Device
from gigcore.ports.notifications import PushSender
from tests.fake_notifications import FakePush

pytestmark = pytest.mark.integration


@dataclass
class Harness:
    push: PushSender
    #: What the platform does when a token dies (the app was uninstalled): the endpoint is disabled.
    disable: Callable[[str, str], None]


@pytest.fixture(params=["sns", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakePush()
        yield Harness(fake, lambda _endpoint, token: fake.dead.add(token))
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    container: Any = bootstrap.container()
    sns = container.aws.client("sns")

    def disable(endpoint: str, _token: str) -> None:
        sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})

    yield Harness(container.notification_ports.push, disable)


def device() -> Device:
    return Device(user_id="U1", platform="ios", token=uuid.uuid4().hex)


def test_a_new_device_gets_an_endpoint_it_then_keeps(harness):
    phone = device()
    endpoint = harness.push.endpoint(phone)
    assert endpoint
    assert harness.push.endpoint(replace(phone, endpoint_arn=endpoint)) == endpoint


def test_a_live_endpoint_takes_a_push(harness):
    endpoint = harness.push.endpoint(device())
    assert harness.push.push(endpoint, "Title", "Body", {"gig_id": "G1"}) is True


def test_a_disabled_or_forgotten_endpoint_answers_false(harness):
    dead, gone = device(), device()
    dead_endpoint, gone_endpoint = harness.push.endpoint(dead), harness.push.endpoint(gone)
    harness.disable(dead_endpoint, dead.token)
    assert harness.push.push(dead_endpoint, "Title", "Body", {}) is False
    harness.push.forget(gone_endpoint)
    assert harness.push.push(gone_endpoint, "Title", "Body", {}) is False
