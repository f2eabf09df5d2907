"""The transactional outbox end to end over the local services: a unit of work's commit (one TransactWriteItems)
-> stream -> router -> SQS -> consumer, with the same pollers the local runtime uses, running here in process so
the test can watch."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.domain.errors import ConflictError
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.ports import OutboxEvent
from infra.local.runtime.loader import AppIndex, LambdaContext, import_app
from infra.local.runtime.pollers import SqsPoller, StreamPoller

pytestmark = pytest.mark.integration


@pytest.fixture
def pollers(stack_env: dict[str, str]) -> Iterator[dict[str, Any]]:
    app = import_app()
    index = AppIndex.of(app, stack_env["GIGCONNECT_STACK_NAME"])
    invocations: list[tuple[str, int]] = []

    def invoke(handler: str, event: dict[str, Any]) -> Any:
        invocations.append((handler, len(event.get("Records", []))))
        return app.handler_map[handler](event, LambdaContext(handler))

    running = [SqsPoller(stack_env["GIGCONNECT_AWS_ENDPOINT"], c.queue_name, c.handler, c.batch_size, invoke)
               for c in index.consumers]
    stream = StreamPoller(stack_env["GIGCONNECT_DYNAMODB_ENDPOINT"], f"{stack_env['GIGCONNECT_STACK_NAME']}-main",
                          index.stream_handlers, invoke)
    stream.skip_to_latest()  # earlier tests' writes are not this test's to deliver
    running.append(stream)
    for poller in running:
        poller.start()
    yield {"invocations": invocations}
    for poller in running:
        poller.stop()
    for poller in running:
        poller.join(timeout=5)


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def a_gig() -> Gig:
    """A gig kept out of the geo index and of search (no location, no event of its own): the state change."""
    now = datetime.now(UTC)
    return Gig(id=new_id(), owner_id=new_id(), title="Proof of the outbox", description="A state change.",
               category="testing", skills=(), budget=Budget(min=Money(amount=1_000, currency="NGN"),
                                                             max=Money(amount=2_000, currency="NGN"), type="fixed"),
               location=None, remote=True, urgency="low", deadline=None, status="open", created_at=now,
               updated_at=now)


def test_an_event_written_with_its_state_reaches_its_consumer(pollers, stack_settings):
    container = bootstrap.container()
    received: list[OutboxEvent] = []
    container.bus.subscribe("search-indexing", "outbox.proof", received.append)
    gig = a_gig()
    event = OutboxEvent(id=new_id(), type="outbox.proof", queue="search-indexing", payload={"key": gig.id})

    unit = container.unit_of_work()
    unit.gigs.add(gig)
    unit.record(event)
    unit.commit()

    wait_for(lambda: len(received) == 1)
    assert received[0].id == event.id and received[0].payload == {"key": gig.id}
    assert container.unit_of_work().gigs.get(gig.id) is not None


def test_a_failed_condition_writes_neither_state_nor_event(pollers, stack_settings):
    container = bootstrap.container()
    received: list[OutboxEvent] = []
    container.bus.subscribe("search-indexing", "outbox.never", received.append)
    gig = a_gig()
    first = container.unit_of_work()
    first.gigs.add(gig)
    first.commit()
    stale = container.unit_of_work()
    stale.gigs.add(gig.changed(title="Never written"))  # the state change is refused: the gig exists
    stale.record(OutboxEvent(id=new_id(), type="outbox.never", queue="search-indexing"))
    with pytest.raises(ConflictError):
        stale.commit()
    time.sleep(1.5)
    assert received == []
    assert container.unit_of_work().gigs.get(gig.id).title == "Proof of the outbox"


def test_a_redelivered_event_is_applied_once(pollers, stack_settings):
    container = bootstrap.container()
    applied: list[str] = []
    container.bus.subscribe("gig-matching", "outbox.twice", lambda e: applied.append(e.id))
    event_id = new_id()
    body = {"id": event_id, "type": "outbox.twice", "payload": {}}
    container.queue.send("gig-matching", body)
    container.queue.send("gig-matching", body)
    wait_for(lambda: len(applied) >= 1)
    time.sleep(1.5)
    assert applied == [event_id]


def test_a_poison_message_lands_in_the_dead_letter_queue_after_three_receives(pollers, stack_settings):
    container = bootstrap.container()
    attempts: list[str] = []

    def always_fails(event: OutboxEvent) -> None:
        attempts.append(event.id)
        raise RuntimeError("this handler cannot apply the event")

    container.bus.subscribe("payments", "outbox.poison", always_fails)
    event = OutboxEvent(id=new_id(), type="outbox.poison", queue="payments", payload={"n": 1})
    unit = container.unit_of_work()
    unit.record(event)
    unit.commit()

    sqs = container.aws.client("sqs")
    dlq = sqs.get_queue_url(QueueName=stack_settings.dead_letter_queue_name("payments"))["QueueUrl"]
    found: list[dict[str, Any]] = []

    def in_dlq() -> bool:
        found.extend(sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []))
        return any(json.loads(m["Body"])["id"] == event.id for m in found)

    wait_for(in_dlq, timeout=30)
    assert attempts.count(event.id) == 3
    assert not bootstrap.container().processed_events.seen("payments", event.id)
