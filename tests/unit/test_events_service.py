"""The outbox's stream router and the idempotent consumers, on fakes: what reaches the queues, what each handler
sees, and which messages are reported failed."""

from __future__ import annotations

import json

from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.ports import OutboxEvent
from gigcore.services.events import EventBus, QueueMessage, StreamRecord, consume, message_body, route_events
from tests.fakes import FakeProcessedEvents, FakeQueue


def event(event_id: str, queue: str = "notifications", kind: str = "milestone.funded") -> OutboxEvent:
    return OutboxEvent(id=event_id, type=kind, queue=queue, payload={"user_id": "U1"})


class FailingQueue(FakeQueue):
    def __init__(self, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def send(self, queue_key, body, *, delay_seconds=0):
        if body["id"] == self.fail_on:
            raise UpstreamUnavailableError("SQS is unavailable.")
        return super().send(queue_key, body, delay_seconds=delay_seconds)


def test_the_router_puts_each_event_on_its_queue_in_stream_order():
    queue = FakeQueue()
    records = [StreamRecord("1", event("E1")), StreamRecord("2", None), StreamRecord("3", event("E3", "payments"))]
    assert route_events(records, queue) == []
    assert queue.sent == [("notifications", message_body(event("E1"))), ("payments", message_body(event("E3",
                                                                                                         "payments")))]


def test_the_router_reports_the_first_record_it_could_not_send():
    queue = FailingQueue(fail_on="E2")
    records = [StreamRecord("1", event("E1")), StreamRecord("2", event("E2")), StreamRecord("3", event("E3"))]
    assert route_events(records, queue) == ["2"]
    assert [body["id"] for _, body in queue.sent] == ["E1"]  # E3 waits for E2's retry


def message(message_id: str, e: OutboxEvent) -> QueueMessage:
    return QueueMessage(message_id, json.dumps(message_body(e)))


def test_a_consumer_applies_each_event_once():
    seen: list[str] = []
    bus = EventBus()
    bus.subscribe("notifications", "milestone.funded", lambda e: seen.append(e.id))
    processed = FakeProcessedEvents()
    batch = [message("m1", event("E1")), message("m2", event("E1")), message("m3", event("E2"))]
    assert consume("notifications", batch, bus, processed) == []
    assert consume("notifications", batch, bus, processed) == []
    assert seen == ["E1", "E2"]


def test_a_failing_handler_reports_its_message_and_is_tried_again_later():
    calls: list[str] = []

    def flaky(e: OutboxEvent) -> None:
        calls.append(e.id)
        if len(calls) == 1:
            raise RuntimeError("the mailer hiccupped")

    bus = EventBus()
    bus.subscribe("email", "milestone.funded", flaky)
    processed = FakeProcessedEvents()
    assert consume("email", [message("m1", event("E1")), message("m2", event("E2"))], bus, processed) == ["m1"]
    assert processed.seen("email", "E1") is False and processed.seen("email", "E2") is True
    assert consume("email", [message("m1", event("E1"))], bus, processed) == []
    assert calls == ["E1", "E2", "E1"]


def test_malformed_messages_and_events_without_a_handler_are_dropped_not_retried():
    bus = EventBus()
    processed = FakeProcessedEvents()
    batch = [QueueMessage("m1", "not json {"), QueueMessage("m2", json.dumps({"no": "id"})),
             message("m3", event("E3", kind="nobody.listens"))]
    assert consume("notifications", batch, bus, processed) == []
    assert processed.seen("notifications", "E3") is True


def test_an_unsubscribed_handler_hears_nothing_more():
    seen: list[str] = []
    bus = EventBus()

    def handler(e: OutboxEvent) -> None:
        seen.append(e.id)

    bus.subscribe("search", "gig.created", handler)
    bus.unsubscribe("search", "gig.created", handler)
    consume("search", [message("m1", event("E1", kind="gig.created"))], bus, FakeProcessedEvents())
    assert seen == []
