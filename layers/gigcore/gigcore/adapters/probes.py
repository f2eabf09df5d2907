"""Liveness probes of each dependency, for ``/health``. Each is one cheap call with a short timeout."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.domain.errors import UpstreamUnavailableError

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_sqs import SQSClient

    from gigcore.adapters.opensearch_search import OpenSearchSearchIndex


class AwsProbe:
    """One cheap read of an AWS service (``DescribeTable``, ``GetQueueUrl``): any botocore error, throttling
    included, means the service is down for ``/health``."""

    def __init__(self, name: str, service: str, read: Callable[[], object]) -> None:
        self.name = name
        self._service = service
        self._read = read

    def ping(self) -> None:
        try:
            self._read()
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailableError(f"{self._service} is unavailable.") from exc


def dynamo_probe(client: DynamoDBClient, table_name: str) -> AwsProbe:
    return AwsProbe("dynamodb", "DynamoDB", lambda: client.describe_table(TableName=table_name))


def queue_probe(client: SQSClient, queue_name: str) -> AwsProbe:
    return AwsProbe("queue", "SQS", lambda: client.get_queue_url(QueueName=queue_name))


class SearchServiceProbe:
    """OpenSearch through the search adapter (``reachable``): signed as a search is, so a role or signature that
    a search would be refused with (403) is down too. An unsigned GET would have counted that 403 as up."""

    name = "search"

    def __init__(self, index: Callable[[], OpenSearchSearchIndex]) -> None:
        self._index = index

    def ping(self) -> None:
        self._index().reachable()


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
    """A GET that must answer below 500 (the Stripe API)."""

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
