"""Nearest-first paging against brute force on DynamoDB Local: the same property as the unit test, fewer
examples, through the real adapter (key conditions, partition layout, limits, eventually consistent reads).
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigcore.domain import geo
from gigcore.domain.geo import PartitionLayout
from gigcore.domain.geo_layout import LayoutState
from gigcore.services import nearby
from gigcore.services.nearby import NearbyQuery
from tests.geo_entries import put_entries
from tests.unit.test_geo_nearby_property import all_pages, filters, scenes

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dynamo(stack_env):
    from gigcore import bootstrap

    container = bootstrap.container()
    _ = container.pynamodb  # binds the models to the local table
    return container


def load(container, entries, target: int | None):
    """A fresh index (its own name, so examples never meet) holding ``entries`` under a split layout."""
    from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts

    name = "t" + uuid.uuid4().hex[:10]
    keys = [geo.encode(e.lat, e.lng) for e in entries]
    layout = PartitionLayout(splits=geo.plan_splits(keys, target) if target else (),
                             histogram=geo.density_histogram(keys, refine_above=8))
    layouts = DynamoGeoLayouts()
    # Stored directly, as the layout job would (tests/integration/test_geo_layout_job.py runs the job itself).
    layouts.store(name, LayoutState(current=layout), expected_revision=0)
    put_entries(container, name, layout, entries)
    return DynamoGeoIndex(container.dynamodb, container.settings.table_name, name, layouts)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(scene=scenes(), where=filters, limit=st.integers(min_value=3, max_value=15),
       target=st.sampled_from([None, 4]))
def test_pages_from_dynamodb_local_equal_brute_force_in_order(dynamo, scene, where, limit, target):
    lat, lng, radius, entries = scene
    index = load(dynamo, entries, target)
    query = NearbyQuery(lat=lat, lng=lng, radius_km=radius, filters=where, limit=limit)
    seen = all_pages(index, query)
    assert seen == [hit.entry.id for hit in nearby.distance_order(query, entries)]
    assert [h.entry.id for h in nearby.within(index, query)[0]] == seen
