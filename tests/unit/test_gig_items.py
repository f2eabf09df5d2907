"""A gig read from DynamoDB's attribute map (a nearby page's batch) is the gig that was stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gigcore.adapters.dynamo_gigs import from_attributes, from_item, to_item
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.money import Money
from gigcore.domain.users import Location

FULL = Gig(id="01JGIG0000000000000000000A", owner_id="01JUSR0000000000000000000B", title="Fix a leaking tap",
           description="Kitchen, second floor.", category="plumbing", skills=("plumbing", "tiling"),
           budget=Budget(min=Money(amount=500_000, currency="NGN"), max=Money(amount=900_000, currency="NGN"),
                         type="hourly"),
           location=Location(6.524412, 3.379205), remote=False, urgency="high",
           deadline=datetime(2026, 12, 24, 18, 30, tzinfo=UTC), status="open",
           created_at=datetime(2026, 12, 1, 9, 0, 0, 123000, tzinfo=UTC),
           updated_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC), application_count=7, version=4)
BARE = replace(FULL, description="", skills=(), location=None, remote=True, deadline=None, status="cancelled",
               budget=Budget(min=Money(amount=1, currency="USD"), max=Money(amount=1, currency="USD"), type="fixed"),
               application_count=0, version=1)


@pytest.mark.parametrize("gig", [FULL, BARE], ids=["every field", "no location, deadline or skills"])
def test_the_attribute_map_of_a_stored_gig_reads_back_as_that_gig(gig):
    attributes = to_item(gig).serialize()
    assert from_attributes(attributes) == gig == from_item(to_item(gig))


def test_an_item_without_a_budget_is_refused_rather_than_read_as_free():
    attributes = to_item(FULL).serialize()
    del attributes["budget_min"]
    with pytest.raises(ValueError, match="budget_min"):
        from_attributes(attributes)
