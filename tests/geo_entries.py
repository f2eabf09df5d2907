"""Geo index entries written straight to the table, as the writers write them (for tests of the readers)."""

from __future__ import annotations

from typing import Any

from gigcore.domain.geo import GeoEntry, PartitionLayout


def put_entries(container: Any, name: str, layout: PartitionLayout, items: list[GeoEntry]) -> None:
    """Write ``items`` to index ``name`` under ``layout`` as the writers do (their ``geo_item``), in batches of 25.
    ``container`` is the composition root (its ``settings.table_name`` and ``dynamodb`` client)."""
    from gigcore.adapters.dynamo_geo import geo_item

    table = container.settings.table_name
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": geo_item(name, layout, e).serialize()}}
                           for e in items[start:start + 25]]}
        while pending:
            pending = container.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")
