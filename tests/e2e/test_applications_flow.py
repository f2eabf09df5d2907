"""Applications end to end over real sockets: apply, accept, and the notifications that reach each party's
feed through the outbox, the stream relay, the notifications consumer and the fan-out. Every call goes through
the Python client generated from docs/openapi.json (tests/e2e/api.py)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from gigconnect_client import AuthenticatedClient
from gigconnect_client.api.applications import apply_to_gig
from gigconnect_client.api.contracts import accept_application
from gigconnect_client.api.gigs import create_gig, get_gig
from gigconnect_client.api.notifications import list_notifications
from gigconnect_client.models import (
    ApplyRequest,
    BudgetBody,
    BudgetBodyType,
    ChargeMoneyBody,
    ChargeMoneyBodyCurrency,
    CreateGigRequest,
    CreateGigRequestUrgency,
    GigOutStatus,
    LocationBody,
    NotificationOut,
    NotificationOutType,
)

from tests.e2e.api import key, ok, sign_up_as

pytestmark = pytest.mark.e2e


def ngn(amount: int) -> ChargeMoneyBody:
    return ChargeMoneyBody(amount=amount, currency=ChargeMoneyBodyCurrency.NGN)


def feed(api: AuthenticatedClient, kind: NotificationOutType, want: int) -> list[NotificationOut]:
    deadline = time.monotonic() + 30
    while True:
        page = ok(list_notifications.sync_detailed(client=api))
        got = [n for n in page.items if n.type_ == kind]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_apply_and_accept_notify_each_party(runtime: Any) -> None:
    client = sign_up_as(runtime, "client", "Kemi Client", prefix="flow")
    chosen = sign_up_as(runtime, "freelancer", "Tunde Tiler", prefix="flow")
    other = sign_up_as(runtime, "freelancer", "Bola Builder", prefix="flow")
    title = f"Retile a bathroom {uuid.uuid4().hex[:6]}"
    gig = CreateGigRequest(title=title, description="Old tiles are cracked.", category="tiling", skills=["tiling"],
                           budget=BudgetBody(min_=ngn(1000000), max_=ngn(2000000), type_=BudgetBodyType.FIXED),
                           location=LocationBody(lat=9.0765, lng=7.3986), remote=False,
                           urgency=CreateGigRequestUrgency.LOW)
    gig_id = ok(create_gig.sync_detailed(client=client.client, body=gig, idempotency_key=key()), 201).id
    application = ApplyRequest(cover_letter="Ten years of tiling.", proposed_rate=ngn(1500000), estimated_days=2)
    mine = ok(apply_to_gig.sync_detailed(gig_id, client=chosen.client, body=application), 201)
    ok(apply_to_gig.sync_detailed(gig_id, client=other.client, body=application), 201)

    received = feed(client.client, NotificationOutType.APPLICATION_RECEIVED, 2)
    assert sorted(n.body for n in received) == sorted(f"{name} applied to \u201c{title}\u201d."
                                                      for name in ("Tunde Tiler", "Bola Builder"))

    contract = ok(accept_application.sync_detailed(mine.id, client=client.client), 201)
    assert contract.freelancer_id == chosen.user_id
    (accepted,) = feed(chosen.client, NotificationOutType.APPLICATION_ACCEPTED, 1)
    assert accepted.data["contract_id"] == contract.id
    (rejected,) = feed(other.client, NotificationOutType.APPLICATION_REJECTED, 1)
    assert title in rejected.body and rejected.data["gig_id"] == gig_id
    assert ok(get_gig.sync_detailed(gig_id, client=client.client)).status == GigOutStatus.IN_PROGRESS
