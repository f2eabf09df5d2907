"""Shared fixtures. Unit tests need no sockets; integration and e2e tests start the local stack."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "functions"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# Unit tests must never reach a real endpoint: point everything at a closed loopback port
# unless a fixture sets up the local stack.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "GigConnect")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


# ---- the local stack, once per test session ---------------------------------------------------

import json  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

#: Limits lowered for tests so that "429 after the limit" does not need hundreds of requests.
TEST_SETTINGS = {
    "GIGCONNECT_SIGNUP_PER_IP_PER_HOUR": "8",
}


@pytest.fixture(scope="session")
def local_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """DynamoDB Local (in memory), moto server and localstripe on free ports, provisioned."""
    from infra.local.services import LocalServices

    services = LocalServices(None, log_dir=tmp_path_factory.mktemp("stack-logs"))
    services.start()
    try:
        yield services
    finally:
        services.stop()


@pytest.fixture(scope="session")
def stack_env(local_services: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The process environment pointed at the local stack; gigcore is re-wired to it."""
    from gigcore import bootstrap

    env = dict(local_services.environment()) | TEST_SETTINGS | {
        "GIGCONNECT_SEARCH_PATH": str(tmp_path_factory.mktemp("search")),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    bootstrap.reset()
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        bootstrap.reset()


@pytest.fixture
def stack_settings(stack_env: dict[str, str]) -> Any:
    from gigcore import bootstrap

    return bootstrap.settings()


class Api:
    """The Chalice app in process, called as API Gateway would, with one source address per test."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = None,
                headers: dict[str, str] | None = None) -> Any:
        sent = {"Content-Type": "application/json"} | (headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        raw = b"" if body is None else json.dumps(body).encode()
        return self._client.http.request(method, path, headers=sent, body=raw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, body, **kw)


@pytest.fixture
def api(stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    from app import app
    from chalice.local import LambdaEventConverter
    from chalice.test import Client

    octets = uuid.uuid4().bytes
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"10.{octets[0]}.{octets[1]}.{octets[2]}")
    if os.environ.get("GIGCONNECT_TEST_API_KIND") == "http":  # the HTTP API's events (tests/http_api.py)
        from tests.http_api import HttpApiClient

        yield Api(HttpApiClient(app))
        return
    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="session")
def deliver(stack_env: dict[str, str]) -> Callable[[str], int]:
    """Run a queue's consumer on what is waiting in it, as the Lambda poller would; returns messages handled."""
    from app import app

    from gigcore import bootstrap

    consumers = {key: f"{key.replace('-', '_')}_consumer" for key in
                 ("notifications", "payments", "search-indexing", "gig-matching", "email", "sms", "push")}

    def run(queue_key: str) -> int:
        container = bootstrap.container()
        sqs = container.aws.client("sqs")
        url = container.queue.url(queue_key)  # type: ignore[attr-defined]
        handled = 0
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                      AttributeNames=["All"]).get("Messages", [])
            if not got:
                return handled
            event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                                  "body": m["Body"], "attributes": m.get("Attributes", {}),
                                  "messageAttributes": {}, "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs",
                                  "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{queue_key}",
                                  "awsRegion": "us-east-1"} for m in got]}
            result = app.handler_map[consumers[queue_key]](event, None) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            for message in got:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    handled += 1
            if failed:
                raise AssertionError(f"{len(failed)} message(s) failed on {queue_key}")

    return run


@pytest.fixture
def inbox(stack_env: dict[str, str]) -> Callable[[str], list[dict[str, Any]]]:
    """The emails that moto's SES accepted for an address: [{subject, body, source}]."""

    def read(address: str) -> list[dict[str, Any]]:
        url = stack_env["GIGCONNECT_AWS_ENDPOINT"].rstrip("/") + "/moto-api/data.json"
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
            data = json.load(answer)
        sent = data.get("ses", {}).get("Message", [])
        return [m for m in sent if address in m.get("destinations", {}).get("ToAddresses", [])]

    return read
