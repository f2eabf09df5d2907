"""The composition root: reads settings once and wires adapters lazily, once per cold start.

Handlers call :func:`container` and hand what it builds to services. Nothing else creates clients or
reads the environment. Heavy SDKs (stripe, opensearchpy) are imported only by the adapters that need them,
when first asked for.
"""

from __future__ import annotations

import functools
from typing import Any

from gigcore.domain.cursor import CursorCodec
from gigcore.ports import ConnectionNotifier, DependencyProbe, ProcessedEvents, Queue, TransactionalOutbox
from gigcore.services.events import EventBus
from gigcore.settings import Settings


@functools.cache
def settings() -> Settings:
    return Settings()


class Container:
    """Adapters built on first use. One instance per process (per Lambda cold start)."""

    def __init__(self, config: Settings) -> None:
        self.settings = config
        self.bus = EventBus()
        if config.tracing:
            from gigcore.observability import tracer

            tracer()

    @functools.cached_property
    def aws(self) -> Any:
        from gigcore.adapters.aws import AwsClients

        return AwsClients(self.settings)

    @functools.cached_property
    def dynamodb(self) -> Any:
        return self.aws.client("dynamodb")

    @functools.cached_property
    def queue(self) -> Queue:
        from gigcore.adapters.sqs_queue import SqsQueue

        return SqsQueue(self.aws.client("sqs"), self.settings)

    @functools.cached_property
    def outbox(self) -> TransactionalOutbox:
        from gigcore.adapters.dynamo_outbox import DynamoOutbox

        return DynamoOutbox(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def processed_events(self) -> ProcessedEvents:
        from gigcore.adapters.dynamo_outbox import DynamoProcessedEvents

        return DynamoProcessedEvents(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def connections(self) -> ConnectionNotifier:
        from gigcore.adapters.websocket import ApiGatewayConnectionNotifier

        return ApiGatewayConnectionNotifier(self.aws.client("apigatewaymanagementapi"))

    @functools.cached_property
    def cursors(self) -> CursorCodec:
        return CursorCodec(self.settings.cursor_secret.get_secret_value().encode())

    @functools.cached_property
    def probes(self) -> list[DependencyProbe]:
        from gigcore.adapters.probes import DynamoProbe, EmbeddedSearchProbe, HttpProbe, QueueProbe

        s = self.settings
        search: DependencyProbe
        if s.search_backend == "opensearch" and s.opensearch_url:
            search = HttpProbe("search", s.opensearch_url.rstrip("/") + "/")
        else:
            search = EmbeddedSearchProbe(s.search_path)
        stripe_base = (s.stripe_api_base or "https://api.stripe.com").rstrip("/")
        payments = HttpProbe(
            "payments",
            stripe_base + "/v1/customers?limit=1",
            headers={"Authorization": f"Bearer {s.stripe_secret_key.get_secret_value()}"},
        )
        return [
            DynamoProbe(self.dynamodb, s.table_name),
            QueueProbe(self.aws.client("sqs"), s.queue_name("notifications")),
            search,
            payments,
        ]


@functools.cache
def container() -> Container:
    return Container(settings())


def reset() -> None:
    """Forget settings and adapters (tests that change the environment call this)."""
    settings.cache_clear()
    container.cache_clear()
