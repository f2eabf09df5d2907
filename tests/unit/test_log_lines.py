"""Every log line goes through the Powertools Logger as JSON, with the correlation id where a message gives one
(issue 17 item 3)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from gigcore.observability import SERVICE
from gigcore.observability import logger as service_logger
from gigcore.ports import OutboxEvent
from gigcore.services.events import EventBus, QueueMessage, StreamRecord, consume, message_body, route_events

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def json_lines() -> Iterator[io.StringIO]:
    """What the service's Powertools handler writes, as the Lambda's log stream would receive it."""
    parent = logging.getLogger(service_logger.name)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(parent.handlers[0].formatter)
    parent.addHandler(handler)
    try:
        yield out
    finally:
        parent.removeHandler(handler)


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


class _NoneSeen:
    def seen(self, consumer: str, event_id: str) -> bool:
        return False

    def mark(self, consumer: str, event_id: str) -> None:
        return None


def test_a_failing_consumer_logs_json_with_the_events_id_as_correlation_id(json_lines: io.StringIO) -> None:
    # Given a consumer whose handler fails on an event
    bus = EventBus()

    def broken(event: OutboxEvent) -> None:
        raise RuntimeError("the handler broke")

    bus.subscribe("notifications", "gig.created", broken)
    event = OutboxEvent(id="evt_01correlated", type="gig.created", queue="notifications", payload={})
    message = QueueMessage(message_id="msg-1", body=json.dumps(message_body(event)))
    # When the batch is consumed
    failed = consume("notifications", [message], bus, _NoneSeen())
    # Then the message is reported failed, and the log line is Powertools' JSON naming the event
    assert failed == ["msg-1"]
    (line,) = [line for line in lines(json_lines) if line["level"] == "ERROR"]
    assert line["service"] == "gigconnect"
    assert line["correlation_id"] == "evt_01correlated"
    assert "evt_01correlated failed on notifications" in str(line["message"])
    assert "the handler broke" in str(line["exception"])


def test_the_correlation_id_of_a_message_does_not_stay_on_the_next_line(json_lines: io.StringIO) -> None:
    # Given a batch consumed with no handler for its event (a warning carrying the event's id)
    event = OutboxEvent(id="evt_02", type="nobody.listens", queue="notifications", payload={})
    consume("notifications", [QueueMessage(message_id="m", body=json.dumps(message_body(event)))], EventBus(),
            _NoneSeen())
    # When something else logs afterwards
    Logger(service=SERVICE, child=True).warning("after the batch")
    # Then only the batch's own line carries its correlation id
    by_message = {str(line["message"]): line for line in lines(json_lines)}
    assert by_message["no handler for nobody.listens on notifications"]["correlation_id"] == "evt_02"
    assert "correlation_id" not in by_message["after the batch"]


def test_a_routing_failure_logs_the_events_id_as_correlation_id(json_lines: io.StringIO) -> None:
    # Given a queue that refuses every message
    class Down:
        def send(self, queue_key: str, body: Mapping[str, Any], *, delay_seconds: int = 0) -> str:
            raise ConnectionError("SQS is down")

        def send_many(self, queue_key: str, bodies: Sequence[Mapping[str, Any]]) -> None:
            raise ConnectionError("SQS is down")

    event = OutboxEvent(id="evt_03", type="gig.created", queue="search-indexing", payload={})
    # When the stream router routes the event's record
    failed = route_events([StreamRecord(sequence_number="7", event=event)], Down())
    # Then the record is failed and the JSON line carries the event's id
    assert failed == ["7"]
    (line,) = [line for line in lines(json_lines) if line["level"] == "ERROR"]
    assert line["correlation_id"] == "evt_03"


def test_no_module_logs_through_a_plain_standard_library_logger() -> None:
    # Given the code that runs in Lambda (gigcore and the Chalice project)
    sources = [*REPO.glob("layers/gigcore/gigcore/**/*.py"), *REPO.glob("functions/**/*.py")]
    # Then none of it makes a standard-library logger: each line goes through the Powertools Logger
    offenders = [str(p.relative_to(REPO)) for p in sources if re.search(r"logging\.getLogger\(", p.read_text())]
    assert offenders == []
