"""Event source mappings, locally: pollers that feed SQS messages, stream records and schedule ticks to
the same handlers Lambda would call, with Lambda's event shapes and partial-batch-failure rules.

Each poller is a thread that calls ``invoke(handler_name, event) -> result``; the runtime passes one that
runs the handler in a worker process, tests may pass one that calls the app in process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger("gigconnect.pollers")

InvokeSync = Callable[[str, dict[str, Any]], Any]
REGION = "us-east-1"


def _client(service: str, endpoint: str) -> Any:
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
                                    region_name=REGION)
    return session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def _failed_ids(result: Any) -> set[str] | None:
    """The failed item ids of a partial batch response; None means the whole batch succeeded."""
    if isinstance(result, dict) and isinstance(result.get("batchItemFailures"), list):
        return {str(f.get("itemIdentifier")) for f in result["batchItemFailures"]}
    return None


class Poller(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                busy = self.poll_once()
            except Exception:  # a poller never dies on a handler's or a service's error
                logger.exception("%s: poll failed", self.name)
                self.stopping.wait(self.error_wait)
                continue
            if not busy:
                self.stopping.wait(self.idle_wait)

    idle_wait = 0.2
    #: After a failed poll (a service down): no tight loop of errors.
    error_wait = 1.0

    def poll_once(self) -> bool:
        raise NotImplementedError


class SqsPoller(Poller):
    """ReceiveMessage -> the consumer -> delete what succeeded; failures come back after ``retry_delay``.

    Redrive to the dead-letter queue after ``maxReceiveCount`` receives is the queue's own behaviour
    (moto implements RedrivePolicy on receive, as SQS does).
    """

    #: Long polling, as Lambda's pollers do: an idle queue costs one open request, not five receives a second
    #: (moto answers a waiting receive as soon as a message arrives). Stopping waits for at most this long.
    wait_seconds = 2
    idle_wait = 0.0

    def __init__(self, endpoint: str, queue_name: str, handler: str, batch_size: int, invoke: InvokeSync,
                 retry_delay: int = 1) -> None:
        super().__init__(f"sqs:{queue_name}")
        self._sqs = _client("sqs", endpoint)
        self._queue_name = queue_name
        self._handler = handler
        self._batch_size = max(1, min(10, batch_size))
        self._invoke = invoke
        self._retry_delay = retry_delay
        self._url: str | None = None
        self._arn = f"arn:aws:sqs:{REGION}:000000000000:{queue_name}"

    def poll_once(self) -> bool:
        if self._url is None:
            self._url = self._sqs.get_queue_url(QueueName=self._queue_name)["QueueUrl"]
        messages = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=self._batch_size,
                                             WaitTimeSeconds=self.wait_seconds, AttributeNames=["All"],
                                             MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return False
        event = {"Records": [self._record(m) for m in messages]}
        try:
            failed = _failed_ids(self._invoke(self._handler, event))
        except Exception:
            logger.exception("%s: the consumer failed; the whole batch will be retried", self._handler)
            failed = {m["MessageId"] for m in messages}
        succeeded = [m for m in messages if failed is None or m["MessageId"] not in failed]
        if succeeded:
            self._sqs.delete_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(succeeded)])
        retry = [m for m in messages if failed and m["MessageId"] in failed]
        if retry:
            self._sqs.change_message_visibility_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._retry_delay}
                for i, m in enumerate(retry)])
        return True

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", hashlib.md5(message["Body"].encode()).hexdigest()),  # noqa: S324
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": REGION,
        }


class StreamPoller(Poller):
    """DynamoDB Streams (DynamoDB Local serves them) -> the stream handlers, in order, per shard.

    A partial batch failure retries from the failed record (``batchItemFailures`` with its sequence
    number), as Lambda's ``ReportBatchItemFailures`` does. Where each shard stands is checkpointed in
    ``checkpoint`` (a file in the data folder), so a restart does not replay the whole stream.
    """

    #: Four reads a second per shard when idle, as Lambda polls a stream; shards are looked for once a second.
    idle_wait = 0.25
    discover_every = 1.0

    def __init__(self, endpoint: str, table_name: str, handlers: list[str], invoke: InvokeSync,
                 checkpoint: Path | None = None, retry_delay: float = 1.0) -> None:
        super().__init__(f"stream:{table_name}")
        self._dynamodb = _client("dynamodb", endpoint)
        self._streams = _client("dynamodbstreams", endpoint)
        self._table = table_name
        self._handlers = handlers
        self._invoke = invoke
        self._checkpoint_path = checkpoint
        self._retry_delay = retry_delay
        self._positions: dict[str, str] = self._load_checkpoint()
        self._iterators: dict[str, str | None] = {}
        self._finished: set[str] = set()
        self._stream_arn: str | None = None
        self._discovered_at = -math.inf

    def _load_checkpoint(self) -> dict[str, str]:
        if self._checkpoint_path and self._checkpoint_path.exists():
            return dict(json.loads(self._checkpoint_path.read_text()))
        return {}

    def _save_checkpoint(self) -> None:
        if self._checkpoint_path is None:
            return
        self._checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._checkpoint_path.with_suffix(".tmp")
        partial.write_text(json.dumps(self._positions))
        partial.replace(self._checkpoint_path)

    def _discover(self) -> None:
        if self._stream_arn is None:
            self._stream_arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self._iterators or shard_id in self._finished:
                continue
            parent = shard.get("ParentShardId")
            if parent and parent in self._iterators and parent not in self._finished:
                continue  # children after their parent, to keep order
            self._iterators[shard_id] = self._iterator(shard_id)

    def skip_to_latest(self) -> None:
        """Start at the stream's end: records written before now are not delivered. For pollers started in
        the middle of a test session, which would otherwise replay every earlier test's writes first."""
        if self._stream_arn is None:
            self._stream_arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard.get("SequenceNumberRange", {}).get("EndingSequenceNumber"):
                self._finished.add(shard_id)  # closed: everything in it is from before now
                continue
            self._iterators[shard_id] = str(self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"])

    def _iterator(self, shard_id: str) -> str | None:
        assert self._stream_arn is not None
        position = self._positions.get(shard_id)
        kwargs: dict[str, Any] = {"StreamArn": self._stream_arn, "ShardId": shard_id}
        if position:
            kwargs |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
        else:
            kwargs |= {"ShardIteratorType": "TRIM_HORIZON"}
        try:
            return str(self._streams.get_shard_iterator(**kwargs)["ShardIterator"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TrimmedDataAccessException", "ResourceNotFoundException"):
                kwargs.pop("SequenceNumber", None)
                kwargs["ShardIteratorType"] = "TRIM_HORIZON"
                return str(self._streams.get_shard_iterator(**kwargs)["ShardIterator"])
            raise

    def poll_once(self) -> bool:
        if time.monotonic() - self._discovered_at >= self.discover_every:
            self._discover()
            self._discovered_at = time.monotonic()
        busy = False
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            answer = self._streams.get_records(ShardIterator=iterator, Limit=100)
            records = answer.get("Records", [])
            next_iterator = answer.get("NextShardIterator")
            if records:
                busy = True
                delivered = self._deliver(records)
                if delivered < len(records):
                    # Retry from the first failed record after a pause.
                    if delivered:
                        self._positions[shard_id] = records[delivered - 1]["dynamodb"]["SequenceNumber"]
                        self._save_checkpoint()
                    self._iterators[shard_id] = self._iterator(shard_id)
                    self.stopping.wait(self._retry_delay)
                    continue
                self._positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                self._save_checkpoint()
            if next_iterator is None:
                self._finished.add(shard_id)
                del self._iterators[shard_id]
            else:
                self._iterators[shard_id] = next_iterator
        return busy

    def _deliver(self, records: list[dict[str, Any]]) -> int:
        """How many leading records every handler took; the rest are retried."""
        event_records = [self._record(r) for r in records]
        delivered = len(records)
        for handler in self._handlers:
            try:
                failed = _failed_ids(self._invoke(handler, {"Records": event_records}))
            except Exception:
                logger.exception("%s: the stream handler failed; retrying the batch", handler)
                return 0
            if failed:
                sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
                first = min(sequence.index(s) for s in failed if s in sequence) if failed & set(sequence) else 0
                delivered = min(delivered, first)
        return delivered

    def _record(self, record: dict[str, Any]) -> dict[str, Any]:
        data = dict(record["dynamodb"])
        created = data.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            data["ApproximateCreationDateTime"] = created.timestamp()
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": data,
            "eventSourceARN": self._stream_arn,
        }


_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def schedule_period(expression: str) -> float | None:
    """Seconds between runs of a ``rate(...)`` expression; None for ``cron(...)`` (minute ticks)."""
    found = _RATE.match(expression.strip())
    return float(int(found.group(1)) * _UNIT[found.group(2)]) if found else None


def cron_matches(expression: str, moment: datetime) -> bool:
    """Minute-resolution evaluation of an EventBridge ``cron(min hour dom month dow year)``."""
    fields = expression.strip()[len("cron("):-1].split()
    if len(fields) != 6:
        return False
    minute, hour, dom, month, dow, _year = fields

    def ok(field: str, value: int) -> bool:
        if field in ("*", "?"):
            return True
        for part in field.split(","):
            step = 1
            if "/" in part:
                part, step_text = part.split("/", 1)
                step = int(step_text)
            if part in ("*", ""):
                low, high = 0, 10**6
            elif "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
            else:
                low = high = int(part)
                if step != 1:
                    high = 10**6
            if low <= value <= high and (value - low) % step == 0:
                return True
        return False

    eventbridge_dow = (moment.isoweekday() % 7) + 1  # EventBridge: 1 = Sunday
    return (ok(minute, moment.minute) and ok(hour, moment.hour) and ok(dom, moment.day)
            and ok(month, moment.month) and (dow in ("*", "?") or ok(dow, eventbridge_dow)))


class SchedulePoller(Poller):
    """Runs scheduled handlers at their rate (``speedup`` divides the period locally)."""

    idle_wait = 1.0

    def __init__(self, schedules: list[tuple[str, str]], invoke: InvokeSync, speedup: float = 1.0) -> None:
        super().__init__("schedules")
        self._invoke = invoke
        self._speedup = max(speedup, 1e-6)
        now = time.monotonic()
        self._next: dict[str, float] = {}
        self._schedules = schedules
        for handler, expression in schedules:
            period = schedule_period(expression)
            if period is not None:
                self._next[handler] = now + period / self._speedup
        self._last_minute: str | None = None

    def poll_once(self) -> bool:
        now = time.monotonic()
        moment = datetime.now(UTC)
        minute = moment.strftime("%Y-%m-%dT%H:%M")
        for handler, expression in self._schedules:
            period = schedule_period(expression)
            due = (period is not None and now >= self._next[handler]) or (
                period is None and minute != self._last_minute and cron_matches(expression, moment))
            if not due:
                continue
            if period is not None:
                self._next[handler] = now + period / self._speedup
            event = {"version": "0", "id": str(time.time_ns()), "detail-type": "Scheduled Event",
                     "source": "aws.events", "account": "000000000000", "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "region": REGION, "resources": [f"arn:aws:events:{REGION}:000000000000:rule/{handler}"],
                     "detail": {}}
            try:
                self._invoke(handler, event)
            except Exception:
                logger.exception("schedule %s failed", handler)
        self._last_minute = minute
        return False




__all__ = ["InvokeSync", "Poller", "SchedulePoller", "SqsPoller", "StreamPoller"]
