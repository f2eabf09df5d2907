"""SQS adapter of the :class:`gigcore.ports.Queue` port."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import translate
from gigcore.settings import Settings


class SqsQueue:
    def __init__(self, client: Any, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._urls: dict[str, str] = {}

    def url(self, queue_key: str) -> str:
        if queue_key not in self._urls:
            try:
                answer = self._client.get_queue_url(QueueName=self._settings.queue_name(queue_key))
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, "SQS") from exc
            self._urls[queue_key] = answer["QueueUrl"]
        return self._urls[queue_key]

    def send(self, queue_key: str, body: Mapping[str, Any], *, delay_seconds: int = 0) -> str:
        try:
            answer = self._client.send_message(
                QueueUrl=self.url(queue_key),
                MessageBody=json.dumps(body, separators=(",", ":"), default=str),
                DelaySeconds=delay_seconds,
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "SQS") from exc
        return str(answer["MessageId"])
