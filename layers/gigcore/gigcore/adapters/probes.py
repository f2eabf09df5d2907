"""Liveness probes of each dependency, for ``/health``. Each is one cheap call with a short timeout."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.domain.errors import UpstreamUnavailableError


class DynamoProbe:
    name = "dynamodb"

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def ping(self) -> None:
        try:
            self._client.describe_table(TableName=self._table)
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailableError("DynamoDB is unavailable.") from exc


class QueueProbe:
    name = "queue"

    def __init__(self, client: Any, queue_name: str) -> None:
        self._client = client
        self._queue = queue_name

    def ping(self) -> None:
        try:
            self._client.get_queue_url(QueueName=self._queue)
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailableError("SQS is unavailable.") from exc


class EmbeddedSearchProbe:
    """The embedded engine lives on local disk: it is up when its folder is writable."""

    name = "search"

    def __init__(self, path: str) -> None:
        self._path = path

    def ping(self) -> None:
        try:
            os.makedirs(self._path, exist_ok=True)
        except OSError as exc:
            raise UpstreamUnavailableError("The search index is unavailable.") from exc
        if not os.access(self._path, os.W_OK):
            raise UpstreamUnavailableError("The search index is unavailable.")


class HttpProbe:
    """A GET that must answer below 500 (OpenSearch, the Stripe API)."""

    def __init__(self, name: str, url: str, headers: dict[str, str] | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("probe URLs must be http(s)")
        self.name = name
        self._url = url
        self._headers = headers or {}

    def ping(self) -> None:
        request = urllib.request.Request(self._url, headers=self._headers)  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=3) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            raise UpstreamUnavailableError(f"{self.name} is unavailable.") from exc
        if status >= 500:
            raise UpstreamUnavailableError(f"{self.name} is unavailable.")
