"""The ``SmsSender`` contract, run against SNS (moto server) and the fake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gigcore.ports.notifications import SmsSender
from tests.fake_notifications import FakeSms

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sns", "fake"])
def sms(request: pytest.FixtureRequest) -> Iterator[SmsSender]:
    if request.param == "fake":
        yield FakeSms()
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    container: Any = bootstrap.container()
    yield container.notification_ports.sms


def test_each_text_answers_its_own_message_id(sms):
    first = sms.sms("+33600000000", "GigConnect: Milestone funded.")
    second = sms.sms("+33600000000", "GigConnect: Milestone released.")
    assert first and second and first != second
