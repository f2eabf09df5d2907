"""The ``Queue`` contract, run against the SQS queue (moto server) and the in-memory fake: each message arrives
once with its JSON body, batches of any size are sent whole, and each send answers an id."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gigcore.ports import Queue
from tests.fakes import FakeQueue

pytestmark = pytest.mark.integration

QUEUE = "notifications"


@dataclass
class Harness:
    queue: Queue
    #: The bodies waiting on a queue, taken off it.
    drain: Callable[[str], list[dict[str, Any]]]


@pytest.fixture(params=["sqs", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakeQueue()

        def drain_fake(key: str) -> list[dict[str, Any]]:
            found = fake.bodies(key)
            fake.sent = [(k, b) for k, b in fake.sent if k != key]
            return found

        yield Harness(fake, drain_fake)
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    container: Any = bootstrap.container()
    sqs, queue = container.aws.client("sqs"), container.queue

    def drain(key: str) -> list[dict[str, Any]]:
        found = []
        while True:
            got = sqs.receive_message(QueueUrl=queue.url(key), MaxNumberOfMessages=10,
                                      WaitTimeSeconds=0).get("Messages", [])
            if not got:
                return found
            for message in got:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue.url(key), ReceiptHandle=message["ReceiptHandle"])

    drain(QUEUE)  # what earlier tests left there is not this test's
    yield Harness(queue, drain)
    drain(QUEUE)


def test_a_message_arrives_with_its_body(harness):
    tag = uuid.uuid4().hex
    message_id = harness.queue.send(QUEUE, {"id": tag, "type": "t", "payload": {"n": 1}})
    assert isinstance(message_id, str) and message_id
    assert harness.drain(QUEUE) == [{"id": tag, "type": "t", "payload": {"n": 1}}]


def test_a_batch_larger_than_ten_arrives_whole(harness):
    tags = [uuid.uuid4().hex for _ in range(23)]
    harness.queue.send_many(QUEUE, [{"id": tag} for tag in tags])
    assert sorted(body["id"] for body in harness.drain(QUEUE)) == sorted(tags)


def test_an_empty_batch_sends_nothing(harness):
    harness.queue.send_many(QUEUE, [])
    assert harness.drain(QUEUE) == []
