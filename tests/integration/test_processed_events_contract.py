"""The ``ProcessedEvents`` contract, run against the DynamoDB markers (on DynamoDB Local) and the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gigcore.ports import ProcessedEvents
from tests.fakes import FakeProcessedEvents

pytestmark = pytest.mark.integration


@pytest.fixture(params=["dynamodb", "fake"])
def processed(request: pytest.FixtureRequest) -> Iterator[ProcessedEvents]:
    if request.param == "fake":
        yield FakeProcessedEvents()
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    yield bootstrap.container().processed_events


def test_an_event_is_seen_once_marked_by_that_consumer_only(processed):
    event = uuid.uuid4().hex
    assert processed.seen("search", event) is False
    processed.mark("search", event)
    assert processed.seen("search", event) is True
    assert processed.seen("notifications", event) is False


def test_marking_twice_is_harmless(processed):
    event = uuid.uuid4().hex
    processed.mark("search", event)
    processed.mark("search", event)
    assert processed.seen("search", event) is True
