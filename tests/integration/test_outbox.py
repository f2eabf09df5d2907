"""The transactional outbox end to end over the local services: TransactWrite -> stream -> router -> SQS ->
consumer, with the same pollers the local runtime uses, running here in process so the test can watch."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.domain.ids import new_id
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


def state_put(table: str, key: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": key}, "sk": {"S": "STATE"}, "n": {"N": "1"}}}}


def test_an_event_written_with_its_state_reaches_its_consumer(pollers, stack_settings):
    container = bootstrap.container()
    received: list[OutboxEvent] = []
    container.bus.subscribe("search-indexing", "outbox.proof", received.append)
    key = f"PROOF#{new_id()}"
    event = OutboxEvent(id=new_id(), type="outbox.proof", queue="search-indexing", payload={"key": key})

    container.outbox.commit([state_put(stack_settings.table_name, key)], [event])

    wait_for(lambda: len(received) == 1)
    assert received[0].id == event.id and received[0].payload == {"key": key}
    item = container.dynamodb.get_item(TableName=stack_settings.table_name,
                                       Key={"pk": {"S": key}, "sk": {"S": "STATE"}})
    assert "Item" in item


def test_a_failed_condition_writes_neither_state_nor_event(pollers, stack_settings):
    from gigcore.domain.errors import ConflictError

    container = bootstrap.container()
    received: list[OutboxEvent] = []
    container.bus.subscribe("search-indexing", "outbox.never", received.append)
    key = f"PROOF#{new_id()}"
    guarded = state_put(stack_settings.table_name, key)
    guarded["Put"]["ConditionExpression"] = "attribute_exists(pk)"  # the state change is refused
    with pytest.raises(ConflictError):
        container.outbox.commit([guarded], [OutboxEvent(id=new_id(), type="outbox.never", queue="search-indexing")])
    time.sleep(1.5)
    assert received == []


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
    container.outbox.commit([], [event])

    sqs = container.aws.client("sqs")
    dlq = sqs.get_queue_url(QueueName=stack_settings.dead_letter_queue_name("payments"))["QueueUrl"]
    found: list[dict[str, Any]] = []

    def in_dlq() -> bool:
        found.extend(sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []))
        return any(json.loads(m["Body"])["id"] == event.id for m in found)

    wait_for(in_dlq, timeout=30)
    assert attempts.count(event.id) == 3
    assert not bootstrap.container().processed_events.seen("payments", event.id)
