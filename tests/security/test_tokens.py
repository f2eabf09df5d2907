"""Token abuse: forged, expired, misplaced and revoked tokens, as an attacker who holds one would try them.

Every refusal is ``401 unauthorized`` in the contract's error shape, and the forged token reaches nothing.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest

from tests.conftest import Api
from tests.security.world import PASSWORD, World, from_new_address, new_address

pytestmark = pytest.mark.integration


def jwt_key() -> str:
    from gigcore import bootstrap

    return bootstrap.settings().jwt_secret.get_secret_value()


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_unauthorized(answer: Any) -> None:
    assert answer.status_code == 401, (answer.status_code, answer.json_body)
    assert answer.json_body["error"]["code"] == "unauthorized" and answer.json_body["error"]["message"]


def me(api: Api, token: str) -> Any:
    return api.get("/me", token=token)


@pytest.fixture
def sec_session(sec_world: World) -> dict[str, Any]:
    """A new account, signed in: {id, email, token, refresh}."""
    return sec_world.mailbox()


# ---- forged and expired access tokens ---------------------------------------------------------------------


def test_a_genuine_token_is_accepted(sec_api: Api, sec_session: dict[str, Any]) -> None:
    # The control for every refusal below: the same request with the token as issued succeeds.
    assert me(sec_api, sec_session["token"]).status_code == 200


def test_an_expired_access_token_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    # Given the user's own claims, signed with the platform's key, that expired a second ago
    now = int(time.time())
    claims = claims_of(sec_session["token"]) | {"iat": now - 901, "exp": now - 1}
    expired = jwt.encode(claims, jwt_key(), algorithm="HS256")
    # When it is presented, then it is refused
    assert_unauthorized(me(sec_api, expired))


def test_a_token_whose_signature_was_altered_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    head, body, signature = sec_session["token"].split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert_unauthorized(me(sec_api, f"{head}.{body}.{flipped}"))


def test_a_token_whose_claims_were_altered_is_refused(sec_api: Api, sec_world: World,
                                                      sec_session: dict[str, Any]) -> None:
    # Given a genuine token whose subject is swapped for the admin's, the signature kept
    head, _, signature = sec_session["token"].split(".")
    claims = claims_of(sec_session["token"]) | {"sub": sec_world.people["admin"]["id"], "roles": ["client"]}
    # Then it is refused
    assert_unauthorized(me(sec_api, f"{head}.{b64(claims)}.{signature}"))


def test_a_token_with_alg_none_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    claims = claims_of(sec_session["token"])
    for alg in ("none", "None", "NONE"):
        assert_unauthorized(me(sec_api, f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(claims)}."))


def test_a_token_signed_with_another_key_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    forged = jwt.encode(claims_of(sec_session["token"]), "an attacker's key of at least 32 bytes", algorithm="HS256")
    assert_unauthorized(me(sec_api, forged))


def test_a_token_with_another_algorithm_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    # HS512 with the platform's own key: only HS256 is accepted (no algorithm chosen by the token)
    forged = jwt.encode(claims_of(sec_session["token"]), jwt_key(), algorithm="HS512")
    assert_unauthorized(me(sec_api, forged))


@pytest.mark.parametrize("change", [
    {"typ": "refresh"}, {"typ": None}, {"iss": "someone-else"}, {"exp": None}, {"sub": None}, {"sub": 12345},
], ids=["typ-refresh", "no-typ", "other-issuer", "no-expiry", "no-subject", "subject-not-a-string"])
def test_a_token_signed_with_the_key_but_not_an_access_token_is_refused(
        sec_api: Api, sec_session: dict[str, Any], change: dict[str, Any]) -> None:
    claims = {k: v for k, v in (claims_of(sec_session["token"]) | change).items() if v is not None}
    assert_unauthorized(me(sec_api, jwt.encode(claims, jwt_key(), algorithm="HS256")))


def test_a_refresh_token_is_not_an_access_token(sec_api: Api, sec_session: dict[str, Any]) -> None:
    assert_unauthorized(me(sec_api, sec_session["refresh"]))


def test_an_access_token_is_not_a_refresh_token(sec_api: Api, sec_session: dict[str, Any]) -> None:
    assert_unauthorized(sec_api.post("/auth/refresh", {"refresh_token": sec_session["token"]}))


# ---- where the token is sent ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    lambda t: {"Authorization": t},
    lambda t: {"Authorization": f"Token {t}"},
    lambda t: {"Authorization": f"JWT {t}"},
    lambda t: {"Authorization": "Basic " + base64.b64encode(f"user:{t}".encode()).decode()},
    lambda t: {"Authorization": "Bearer"},
    lambda t: {"Authorization": "Bearer   "},
    lambda t: {"Authorization": f"Bearer {t} {t}"},
    lambda t: {"Authorization": f"Bearer {t}x"},
    lambda t: {"Authorization": f"Bearer{t}"},
    lambda t: {"Cookie": f"access_token={t}"},
    lambda t: {"X-Access-Token": t},
], ids=["bare", "token-scheme", "jwt-scheme", "basic", "bearer-alone", "bearer-blank", "two-tokens",
        "token-with-a-tail", "no-space", "cookie", "other-header"])
def test_a_token_in_the_wrong_header_form_is_refused(sec_api: Api, sec_session: dict[str, Any],
                                                     headers: Any) -> None:
    answer = sec_api.get("/me", headers=headers(sec_session["token"]))
    assert_unauthorized(answer)


def test_a_token_in_the_query_string_is_refused(sec_api: Api, sec_session: dict[str, Any]) -> None:
    assert_unauthorized(sec_api.get(f"/me?access_token={sec_session['token']}"))
    assert_unauthorized(sec_api.get(f"/me?token={sec_session['token']}"))


def test_the_bearer_scheme_is_case_insensitive(sec_api: Api, sec_session: dict[str, Any]) -> None:
    # RFC 7235: the scheme is case-insensitive; refusing "bearer" would only break careful clients
    answer = sec_api.get("/me", headers={"Authorization": f"bearer {sec_session['token']}"})
    assert answer.status_code == 200


# ---- refresh tokens: rotation, reuse, logout, password reset --------------------------------------------


def refresh(api: Api, token: str, headers: dict[str, str] | None = None) -> Any:
    return from_new_address(lambda: api.post("/auth/refresh", {"refresh_token": token}, headers=headers))


def test_a_reused_refresh_token_revokes_its_whole_family(sec_api: Api, sec_session: dict[str, Any]) -> None:
    # Given a session whose refresh token was rotated once
    rotated = refresh(sec_api, sec_session["refresh"])
    assert rotated.status_code == 200
    # When the spent token is presented again (a thief replaying it)
    assert_unauthorized(refresh(sec_api, sec_session["refresh"]))
    # Then its successor, held by the rightful user, is dead too
    assert_unauthorized(refresh(sec_api, rotated.json_body["refresh_token"]))


def test_a_refresh_token_is_dead_after_logout(sec_api: Api, sec_session: dict[str, Any]) -> None:
    out = sec_api.post("/auth/logout", {"refresh_token": sec_session["refresh"]}, token=sec_session["token"])
    assert out.status_code == 204
    assert_unauthorized(refresh(sec_api, sec_session["refresh"]))


def test_logging_out_someone_elses_session_does_nothing_to_it(sec_api: Api, sec_world: World,
                                                              sec_session: dict[str, Any]) -> None:
    # Given an attacker who learnt a victim's refresh token but signs in as themselves
    attacker = sec_world.mailbox()
    out = sec_api.post("/auth/logout", {"refresh_token": sec_session["refresh"]}, token=attacker["token"])
    assert out.status_code == 204
    # Then the victim's session goes on
    assert refresh(sec_api, sec_session["refresh"]).status_code == 200


def reset_password(world: World, session: dict[str, Any]) -> None:
    asked = world.api.post("/auth/password/reset-request", {"email": session["email"]})
    assert asked.status_code == 202
    world.deliver("notifications")
    import re

    mail = world.inbox(session["email"])[-1]
    token = re.search(r"<code>([^<]+)</code>", mail["body"])
    assert token
    done = world.api.post("/auth/password/reset", {"token": token.group(1), "new_password": "another long secret"})
    assert done.status_code == 204


def test_every_refresh_token_is_dead_after_a_password_reset(sec_api: Api, sec_world: World,
                                                            sec_session: dict[str, Any]) -> None:
    second = from_new_address(lambda: sec_api.post("/auth/login", {"email": sec_session["email"],
                                                                  "password": PASSWORD}))
    assert second.status_code == 200
    reset_password(sec_world, sec_session)
    assert_unauthorized(refresh(sec_api, sec_session["refresh"]))
    assert_unauthorized(refresh(sec_api, second.json_body["refresh_token"]))


def test_an_access_token_of_a_closed_session_lives_no_longer_than_15_minutes(
        sec_api: Api, sec_world: World, sec_session: dict[str, Any]) -> None:
    # Given a user who logs out, and another who resets a password (a stolen phone, a leaked session)
    out = sec_api.post("/auth/logout", {"refresh_token": sec_session["refresh"]}, token=sec_session["token"])
    assert out.status_code == 204
    other = sec_world.mailbox()
    reset_password(sec_world, other)
    for token in (sec_session["token"], other["token"]):
        # Then REST does not look the session up (docs/auth.md "Known limit"): the access token works until it
        # expires, and that is at most 15 minutes after it was issued; a copy of it past that is refused
        claims = claims_of(token)
        assert claims["exp"] - claims["iat"] <= 900
        late = jwt.encode(claims | {"exp": int(time.time()) - 1}, jwt_key(), algorithm="HS256")
        assert_unauthorized(me(sec_api, late))


# ---- tokens and the idempotency store (issue 16 item 5) -----------------------------------------------------


def stored_answer(scope: str, key: str) -> str:
    """The raw idempotency record of ``key`` for ``scope``, as a leaked table would show it."""
    from gigcore import bootstrap

    container = bootstrap.container()
    item = container.aws.client("dynamodb").get_item(
        TableName=bootstrap.settings().table_name,
        Key={"pk": {"S": f"IDEMPOTENCY#{scope}#{key}"}, "sk": {"S": "IDEMPOTENCY"}}).get("Item")
    return json.dumps(item or {})


def test_a_login_with_an_idempotency_key_leaves_no_token_in_the_idempotency_store(
        sec_api: Api, sec_session: dict[str, Any]) -> None:
    # Given a login sent with an Idempotency-Key from one address
    address, key = new_address(), uuid.uuid4().hex
    login = from_new_address(lambda: sec_api.post(
        "/auth/login", {"email": sec_session["email"], "password": PASSWORD}, headers={"Idempotency-Key": key}),
        address)
    assert login.status_code == 200
    # Then what the store keeps for that key holds neither token
    kept = stored_answer(f"anon:{address}", key)
    assert login.json_body["refresh_token"] not in kept and login.json_body["access_token"] not in kept


def test_a_spent_refresh_token_resent_with_its_first_key_still_revokes_the_family(
        sec_api: Api, sec_session: dict[str, Any]) -> None:
    # Given a refresh sent with an Idempotency-Key
    address, key = new_address(), {"Idempotency-Key": uuid.uuid4().hex}
    first = from_new_address(lambda: sec_api.post("/auth/refresh", {"refresh_token": sec_session["refresh"]},
                                                  headers=key), address)
    assert first.status_code == 200
    # When a thief replays the same request, key included
    again = from_new_address(lambda: sec_api.post("/auth/refresh", {"refresh_token": sec_session["refresh"]},
                                                  headers=key), address)
    # Then the spent token gets no tokens back, and the family is revoked as for any reuse
    assert again.status_code == 401
    assert_unauthorized(refresh(sec_api, first.json_body["refresh_token"]))
