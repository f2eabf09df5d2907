"""Gig matching end to end: a gig posted over HTTP reaches, through the outbox, the stream relay, the
gig-matching consumer and the notification fan-out, the feeds of the freelancers it is for, and only theirs."""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def signup(runtime: Any, role: str) -> tuple[str, str]:
    body = {"email": f"match-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "Matcher",
            "roles": [role]}
    answer = httpx.post(f"{runtime.api_url}/auth/signup", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"], answer.json()["user"]["id"]


def around(spot: tuple[float, float], km_north: float) -> dict[str, float]:
    return {"lat": spot[0] + km_north / 111.195, "lng": spot[1]}


def freelancer(runtime: Any, spot: tuple[float, float], km: float, skills: list[str], reach: float,
               availability: str = "available") -> tuple[str, str]:
    token, user_id = signup(runtime, "freelancer")
    body = {"headline": "On call", "bio": "Near you", "availability": availability,
            "skills": [{"name": s, "level": "expert"} for s in skills],
            "hourly_rate": {"amount": 400000, "currency": "NGN"}, "location": around(spot, km),
            "service_radius_km": reach}
    answer = httpx.put(f"{runtime.api_url}/me/freelancer-profile", json=body,
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return token, user_id


def feed(runtime: Any, token: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{runtime.api_url}/me/notifications", headers={"Authorization": f"Bearer {token}"},
                       timeout=30)
    assert answer.status_code == 200, answer.text
    return [n for n in answer.json()["items"] if n["type"] == "gig.nearby_match"]


def test_a_posted_gig_reaches_the_freelancers_it_is_for(runtime):
    rnd = random.Random(uuid.uuid4().int)
    spot = (rnd.uniform(-50, 50), rnd.uniform(-150, 150))
    plumber, _ = freelancer(runtime, spot, 2.0, ["Plumbing", "Tiling"], reach=10)
    painter, _ = freelancer(runtime, spot, 1.0, ["Painting"], reach=10)
    too_far, _ = freelancer(runtime, spot, 20.0, ["Plumbing"], reach=10)
    busy, _ = freelancer(runtime, spot, 1.0, ["Plumbing"], reach=10, availability="busy")

    client, _ = signup(runtime, "client")
    title = f"Burst pipe {uuid.uuid4().hex[:6]}"
    gig = {"title": title, "description": "Water everywhere", "category": "plumbing", "skills": ["plumbing"],
           "budget": {"min": {"amount": 1000000, "currency": "NGN"}, "max": {"amount": 2000000, "currency": "NGN"},
                      "type": "fixed"},
           "location": {"lat": spot[0], "lng": spot[1]}, "remote": False, "urgency": "high"}
    posted = httpx.post(f"{runtime.api_url}/gigs", json=gig, headers={"Authorization": f"Bearer {client}"},
                        timeout=30)
    assert posted.status_code == 201, posted.text
    gig_id = posted.json()["id"]

    deadline = time.monotonic() + 30
    while not (got := feed(runtime, plumber)) and time.monotonic() < deadline:
        time.sleep(0.2)
    (match,) = got
    assert title in match["body"] and match["data"] == {"gig_id": gig_id}
    assert "2.0 km away" in match["body"]
    time.sleep(1.0)  # the others' messages, if any had been sent, went through the same queues meanwhile
    assert feed(runtime, painter) == [] and feed(runtime, too_far) == [] and feed(runtime, busy) == []
    assert len(feed(runtime, plumber)) == 1
