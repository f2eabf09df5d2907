"""The daily gig-match quota on DynamoDB Local: a conditional ADD per freelancer, idempotent per gig."""

from __future__ import annotations

import uuid

import pytest

from gigcore import bootstrap
from gigcore.adapters.dynamo_notifications import DynamoMatchQuota

pytestmark = pytest.mark.integration


def test_the_quota_counts_each_gig_once_and_stops_at_the_limit(stack_settings):
    quota = DynamoMatchQuota(bootstrap.container().dynamodb, stack_settings.table_name)
    users = [f"U{uuid.uuid4().hex[:10]}" for _ in range(3)]
    day, ttl = "2026-12-03", 1_900_000_000

    assert quota.claim(users, day=day, gig_id="G1", limit=2, ttl_epoch=ttl) == set(users)
    assert quota.claim(users[:2], day=day, gig_id="G2", limit=2, ttl_epoch=ttl) == set(users[:2])
    assert quota.claim(users, day=day, gig_id="G3", limit=2, ttl_epoch=ttl) == {users[2]}
    # A retried batch for a gig already counted is granted again and counts nothing more.
    assert quota.claim(users, day=day, gig_id="G2", limit=2, ttl_epoch=ttl) == set(users[:2])
    assert quota.claim(users, day="2026-12-04", gig_id="G3", limit=2, ttl_epoch=ttl) == set(users)
    assert quota.claim([], day=day, gig_id="G9", limit=2, ttl_epoch=ttl) == set()
