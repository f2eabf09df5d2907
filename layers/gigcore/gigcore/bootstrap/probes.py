"""The dependencies ``GET /health`` pings: one cheap call each, built from the settings and the adapters."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from gigcore.ports import DependencyProbe

if TYPE_CHECKING:
    from gigcore.adapters.opensearch_search import OpenSearchSearchIndex
    from gigcore.bootstrap.adapters import Adapters


def dependency_probes(adapters: Adapters) -> list[DependencyProbe]:
    """DynamoDB, the notifications queue, search and Stripe, in the order ``/health`` reports them."""
    from gigcore.adapters.probes import (
        EmbeddedSearchProbe,
        HttpProbe,
        SearchServiceProbe,
        dynamo_probe,
        queue_probe,
    )

    s = adapters.settings
    search: DependencyProbe
    if s.search_backend == "opensearch":
        # Built on the first ping: without an endpoint the adapter refuses to be built, and /health says down.
        search = SearchServiceProbe(lambda: cast("OpenSearchSearchIndex", adapters.search_index))
    else:
        search = EmbeddedSearchProbe(s.search_path)
    stripe_base = (s.stripe_api_base or "https://api.stripe.com").rstrip("/")
    payments = HttpProbe(
        "payments",
        stripe_base + "/v1/customers?limit=1",
        headers={"Authorization": f"Bearer {s.stripe_secret_key.get_secret_value()}"},
    )
    return [
        dynamo_probe(adapters.dynamodb, s.table_name),
        queue_probe(adapters.aws.client("sqs"), s.queue_name("notifications")),
        search,
        payments,
    ]
