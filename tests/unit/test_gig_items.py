"""A gig's stored item: read back from DynamoDB's attribute map it is the gig that was stored, and it is,
attribute for attribute, the item the gig's PynamoDB model wrote before the adapter moved to the low-level
client (so items written before and after read the same: no migration)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from gigcore.adapters.dynamo_gigs import from_attributes, gig_item
from gigcore.adapters.dynamo_models import GigItem
from gigcore.domain.clock import to_rfc3339
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
GEO = ("GEO#gigs#p0", "s0e5xyz#01JGIG0000000000000000000A")


def model_item(gig: Gig, geo: tuple[str, str] | None) -> dict:
    """The item as the PynamoDB model ``GigItem`` serialised it (the adapter's former ``to_item``)."""
    sort = f"GIG#{to_rfc3339(gig.created_at)}#{gig.id}"
    item = GigItem(pk=f"GIG#{gig.id}", sk="GIG", id=gig.id, owner_id=gig.owner_id, title=gig.title,
                   description=gig.description, category=gig.category, skills=list(gig.skills),
                   budget_min=gig.budget.min.amount, budget_max=gig.budget.max.amount,
                   currency=gig.budget.min.currency, budget_type=gig.budget.type,
                   lat=gig.location.lat if gig.location else None, lng=gig.location.lng if gig.location else None,
                   remote=gig.remote, urgency=gig.urgency,
                   deadline=to_rfc3339(gig.deadline) if gig.deadline else None, status=gig.status,
                   application_count=gig.application_count, created_at=to_rfc3339(gig.created_at),
                   updated_at=to_rfc3339(gig.updated_at), gsi1pk=f"OWNER#{gig.owner_id}", gsi1sk=sort,
                   gsi2pk=f"OWNER#{gig.owner_id}#{gig.status}", gsi2sk=sort,
                   geo_pk=geo[0] if geo else None, geo_sk=geo[1] if geo else None)
    item.version = gig.version
    return item.serialize()


@pytest.mark.parametrize("gig", [FULL, BARE], ids=["every field", "no location, deadline or skills"])
def test_the_attribute_map_of_a_stored_gig_reads_back_as_that_gig(gig):
    assert from_attributes(gig_item(gig, gig.version, None)) == gig


@pytest.mark.parametrize("gig", [FULL, BARE, replace(FULL, location=Location(6.0, 3.0))],
                         ids=["every field", "no location, deadline or skills", "whole-degree location"])
@pytest.mark.parametrize("geo", [GEO, None], ids=["indexed", "not indexed"])
def test_the_stored_item_is_the_one_the_model_wrote(gig, geo):
    assert gig_item(gig, gig.version, geo) == model_item(gig, geo)


def test_an_item_without_a_budget_is_refused_rather_than_read_as_free():
    attributes = gig_item(FULL, FULL.version, None)
    del attributes["budget_min"]
    with pytest.raises(ValueError, match="budget_min"):
        from_attributes(attributes)
