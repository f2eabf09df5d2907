"""Rate limits against someone who knows how they are keyed: many addresses against one account, a forged
``X-Forwarded-For`` from one address. The limits follow the account or the address API Gateway saw."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.security.world import PASSWORD, World, from_new_address, new_address

pytestmark = pytest.mark.integration


def limits() -> Any:
    from gigcore import bootstrap

    return bootstrap.settings()


def assert_rate_limited(answer: Any) -> None:
    assert answer.status_code == 429, (answer.status_code, answer.json_body)
    assert answer.json_body["error"]["code"] == "rate_limited" and int(answer.headers["Retry-After"]) > 0


def test_guessing_a_password_from_many_addresses_is_limited_per_account(sec_world: World) -> None:
    # Given an account, and an attacker who sends each guess from another address
    victim = sec_world.mailbox()
    guess = {"email": victim["email"], "password": "not the password"}
    for _ in range(limits().login_per_email_per_15min):
        assert from_new_address(lambda: sec_world.api.post("/auth/login", guess)).status_code == 401
    # When the next guess comes, from yet another address
    # Then it is refused as too many, and so is the right password: the limit tells nothing about it
    assert_rate_limited(from_new_address(lambda: sec_world.api.post("/auth/login", guess)))
    right = {"email": victim["email"], "password": PASSWORD}
    assert_rate_limited(from_new_address(lambda: sec_world.api.post("/auth/login", right)))


def test_a_forged_forwarded_for_header_does_not_reset_the_sign_up_limit(sec_world: World) -> None:
    # Given one source address that claims a new one in X-Forwarded-For on every sign-up
    address = new_address()

    def signup(index: int) -> Any:
        body = {"email": f"flood-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "Flood",
                "roles": ["client"]}
        forged = {"X-Forwarded-For": f"203.0.113.{index}", "X-Real-IP": f"203.0.113.{index}"}
        return from_new_address(lambda: sec_world.api.post("/auth/signup", body, headers=forged), address)

    for index in range(limits().signup_per_ip_per_hour):
        assert signup(index).status_code == 201
    # Then the address API Gateway saw is the one limited
    assert_rate_limited(signup(250))


def test_password_reset_requests_are_limited_per_account_however_many_addresses(sec_world: World) -> None:
    victim = sec_world.mailbox()
    for _ in range(limits().reset_per_email_per_hour):
        answer = from_new_address(lambda: sec_world.api.post("/auth/password/reset-request",
                                                             {"email": victim["email"]}))
        assert answer.status_code == 202
    sec_world.deliver("notifications")
    # However many more are asked, no more emails than the limit reach the victim's inbox
    for _ in range(3):
        from_new_address(lambda: sec_world.api.post("/auth/password/reset-request", {"email": victim["email"]}))
    sec_world.deliver("notifications")
    assert len(sec_world.inbox(victim["email"])) == limits().reset_per_email_per_hour
