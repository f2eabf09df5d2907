"""The generated Python client against the running API (issue 19 item 4): what the document says of sign-up,
login, /me, gigs and the HTTP conventions is what a client built from it meets.

Given the local runtime, when a new user signs up, logs in, reads /me, posts a gig and finds it nearby through
clients/python/gigconnect_client, then every answer parses into the generated models; a GET's ETag sent back
as If-None-Match answers 304; ?fields= trims (read raw); a retried POST with the same Idempotency-Key replays its answer
with Idempotent-Replayed; a refusal parses as the documented error.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from gigconnect_client.api.auth import log_in
from gigconnect_client.api.gigs import create_gig, get_gig, list_nearby_gigs
from gigconnect_client.api.users import get_me
from gigconnect_client.models import (
    BudgetBody,
    BudgetBodyType,
    ChargeMoneyBody,
    ChargeMoneyBodyCurrency,
    CreateGigRequest,
    CreateGigRequestUrgency,
    GigOut,
    GigOutStatus,
    LocationBody,
    LoginRequest,
    UserOutRolesItem,
)

from tests.e2e.api import PASSWORD, anonymous, key, ok, refused, sign_up_as, signed_in

pytestmark = pytest.mark.e2e


def test_sign_up_log_in_and_read_me_through_the_generated_client(runtime: Any) -> None:
    account = sign_up_as(runtime, "client", "Ada Obi", prefix="client")
    session = ok(log_in.sync_detailed(client=anonymous(runtime),
                                      body=LoginRequest(email=account.email, password=PASSWORD)))
    assert session.user.id == account.user_id and session.expires_in > 0
    api = signed_in(runtime, session.access_token)
    me = ok(get_me.sync_detailed(client=api))
    assert me.email == account.email and me.roles == [UserOutRolesItem.CLIENT] and me.email_verified is False
    assert me.created_at.tzinfo is not None  # format: date-time, parsed as an aware datetime

    first = get_me.sync_detailed(client=api)
    etag = first.headers["ETag"]
    again = get_me.sync_detailed(client=api, if_none_match=etag)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    # ?fields= trims the answer, which is then not the documented type: read as plain JSON, as the document says.
    trimmed = api.get_httpx_client().get("/me", params={"fields": "name"})
    assert trimmed.status_code == 200 and trimmed.json() == {"id": me.id, "name": "Ada Obi"}

    wrong = log_in.sync_detailed(client=anonymous(runtime), body=LoginRequest(email=account.email,
                                                                              password="not the password"))
    assert refused(wrong, 401).error.code == "unauthorized"


def test_post_a_gig_find_it_nearby_and_read_it_through_the_generated_client(runtime: Any) -> None:
    poster = sign_up_as(runtime, "client", prefix="client")
    seeker = sign_up_as(runtime, "freelancer", prefix="client")
    spot = LocationBody(lat=6.4541 + uuid.uuid4().int % 1000 / 100_000, lng=3.3947)
    gig = CreateGigRequest(
        title=f"Fix a leaking kitchen tap {uuid.uuid4().hex[:6]}", description="It drips all night.",
        category="plumbing", skills=["plumbing"], remote=False, urgency=CreateGigRequestUrgency.HIGH, location=spot,
        budget=BudgetBody(min_=ChargeMoneyBody(amount=500_000, currency=ChargeMoneyBodyCurrency.NGN),
                          max_=ChargeMoneyBody(amount=1_500_000, currency=ChargeMoneyBodyCurrency.NGN),
                          type_=BudgetBodyType.FIXED))
    action = key()
    created = create_gig.sync_detailed(client=poster.client, body=gig, idempotency_key=action)
    posted = ok(created, 201)
    assert isinstance(posted, GigOut) and posted.status == GigOutStatus.OPEN and posted.application_count == 0
    retried = create_gig.sync_detailed(client=poster.client, body=gig, idempotency_key=action)
    assert ok(retried, 201).id == posted.id and retried.headers["Idempotent-Replayed"] == "true"

    page = ok(list_nearby_gigs.sync_detailed(client=seeker.client, lat=spot.lat, lng=spot.lng, radius_km=1))
    found = {item.id: item for item in page.items}
    assert posted.id in found and found[posted.id].distance_km < 0.01
    read = ok(get_gig.sync_detailed(posted.id, client=seeker.client))
    assert read.title == gig.title and read.budget.min_.amount == 500_000 and read.location is not None
    missing = get_gig.sync_detailed("01JDQ8M3Z5W8K2ZC6Y4V7N1PXA", client=seeker.client)
    assert refused(missing, 404).error.code == "not_found"
