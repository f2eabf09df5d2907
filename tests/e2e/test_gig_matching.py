"""Gig matching end to end: a gig posted over HTTP reaches, through the outbox, the stream relay, the
gig-matching consumer and the notification fan-out, the feeds of the freelancers it is for, and only theirs.
Every call goes through the Python client generated from docs/openapi.json (tests/e2e/api.py)."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import pytest
from gigconnect_client import AuthenticatedClient
from gigconnect_client.api.gigs import create_gig
from gigconnect_client.api.notifications import list_notifications
from gigconnect_client.api.users import put_freelancer_profile
from gigconnect_client.models import (
    CreateGigRequest,
    FreelancerProfileRequest,
    FreelancerProfileRequestAvailability,
    LocationBody,
    MoneyBody,
    MoneyBodyCurrency,
    NotificationOut,
    NotificationOutType,
    SkillBody,
    SkillBodyLevel,
)

from tests.e2e.api import key, ok, sign_up_as

pytestmark = pytest.mark.e2e


def around(spot: tuple[float, float], km_north: float) -> LocationBody:
    return LocationBody(lat=spot[0] + km_north / 111.195, lng=spot[1])


def freelancer(runtime: Any, spot: tuple[float, float], km: float, skills: list[str], reach: float,
               availability: str = "available") -> AuthenticatedClient:
    account = sign_up_as(runtime, "freelancer", "Matcher", prefix="match")
    profile = FreelancerProfileRequest(
        headline="On call", bio="Near you", availability=FreelancerProfileRequestAvailability(availability),
        skills=[SkillBody(name=s, level=SkillBodyLevel.EXPERT) for s in skills],
        hourly_rate=MoneyBody(amount=400000, currency=MoneyBodyCurrency.NGN), location=around(spot, km),
        service_radius_km=reach)
    ok(put_freelancer_profile.sync_detailed(client=account.client, body=profile))
    return account.client


def feed(api: AuthenticatedClient) -> list[NotificationOut]:
    page = ok(list_notifications.sync_detailed(client=api))
    return [n for n in page.items if n.type_ == NotificationOutType.GIG_NEARBY_MATCH]


def test_a_posted_gig_reaches_the_freelancers_it_is_for(runtime):
    rnd = random.Random(uuid.uuid4().int)
    spot = (rnd.uniform(-50, 50), rnd.uniform(-150, 150))
    plumber = freelancer(runtime, spot, 2.0, ["Plumbing", "Tiling"], reach=10)
    painter = freelancer(runtime, spot, 1.0, ["Painting"], reach=10)
    too_far = freelancer(runtime, spot, 20.0, ["Plumbing"], reach=10)
    busy = freelancer(runtime, spot, 1.0, ["Plumbing"], reach=10, availability="busy")

    client = sign_up_as(runtime, "client", "Matcher", prefix="match")
    title = f"Burst pipe {uuid.uuid4().hex[:6]}"
    gig = CreateGigRequest.from_dict({
        "title": title, "description": "Water everywhere", "category": "plumbing", "skills": ["plumbing"],
        "budget": {"min": {"amount": 1000000, "currency": "NGN"}, "max": {"amount": 2000000, "currency": "NGN"},
                   "type": "fixed"},
        "location": {"lat": spot[0], "lng": spot[1]}, "remote": False, "urgency": "high"})
    gig_id = ok(create_gig.sync_detailed(client=client.client, body=gig, idempotency_key=key()), 201).id

    deadline = time.monotonic() + 30
    while not (got := feed(plumber)) and time.monotonic() < deadline:
        time.sleep(0.2)
    (match,) = got
    assert title in match.body and match.data.to_dict() == {"gig_id": gig_id}
    assert "2.0 km away" in match.body
    time.sleep(1.0)  # the others' messages, if any had been sent, went through the same queues meanwhile
    assert feed(painter) == [] and feed(too_far) == [] and feed(busy) == []
    assert len(feed(plumber)) == 1
