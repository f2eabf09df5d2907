"""SQS adapter of the :class:`gigcore.ports.Queue` port."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gigcore.adapters.aws import translated
from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.settings import Settings

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient


class SqsQueue:
    def __init__(self, client: SQSClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._urls: dict[str, str] = {}

    def url(self, queue_key: str) -> str:
        if queue_key not in self._urls:
            with translated("SQS"):
                answer = self._client.get_queue_url(QueueName=self._settings.queue_name(queue_key))
            self._urls[queue_key] = answer["QueueUrl"]
        return self._urls[queue_key]

    def send(self, queue_key: str, body: Mapping[str, Any], *, delay_seconds: int = 0) -> str:
        with translated("SQS"):
            answer = self._client.send_message(
                QueueUrl=self.url(queue_key),
                MessageBody=json.dumps(body, separators=(",", ":"), default=str),
                DelaySeconds=delay_seconds,
            )
        return str(answer["MessageId"])

    def send_many(self, queue_key: str, bodies: Sequence[Mapping[str, Any]]) -> None:
        """Ten messages a call; the entries SQS refuses are retried once, then reported as an outage."""
        url = self.url(queue_key)
        for start in range(0, len(bodies), 10):
            entries = {str(i): json.dumps(body, separators=(",", ":"), default=str)
                       for i, body in enumerate(bodies[start:start + 10])}
            for _ in range(2):
                with translated("SQS"):
                    answer = self._client.send_message_batch(
                        QueueUrl=url, Entries=[{"Id": k, "MessageBody": v} for k, v in entries.items()])
                entries = {f["Id"]: entries[f["Id"]] for f in answer.get("Failed", [])}
                if not entries:
                    break
            if entries:
                raise UpstreamUnavailableError("SQS refused some messages; try again.")
