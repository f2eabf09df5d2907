"""The ``Mailer`` contract, run against SES (moto server, the sender verified by the local stack) and the fake."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gigcore.ports.auth import Mailer
from tests.fakes import FakeMailer

pytestmark = pytest.mark.integration


@dataclass
class Harness:
    mailer: Mailer
    #: (subject, text) of what reached an address.
    received: Callable[[str], list[tuple[str, str]]]


@pytest.fixture(params=["ses", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakeMailer()
        yield Harness(fake, lambda to: [(subject, text) for address, subject, text, _ in fake.sent if address == to])
        return
    request.getfixturevalue("stack_env")
    inbox: Any = request.getfixturevalue("inbox")
    from gigcore import bootstrap

    yield Harness(bootstrap.container().mailer, lambda to: [(m["subject"], m["body"]) for m in inbox(to)])


def test_an_email_reaches_its_address_and_answers_a_message_id(harness):
    to = f"m-{uuid.uuid4().hex[:10]}@example.com"
    message_id = harness.mailer.send(to, "Hello", "Plain text", "<p>Plain text</p>")
    assert isinstance(message_id, str) and message_id
    [(subject, _)] = harness.received(to)
    assert subject == "Hello"
