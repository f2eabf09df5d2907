"""Auth and users over the local stack (DynamoDB Local, moto's SQS and SES), through the Chalice app.

Each test signs up its own users from its own source address, so tests do not share rate-limit buckets.
Emails are read from moto's SES, as a user reads their inbox.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time

import jwt
import pytest

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def signup(api, email: str, roles=("client",), **extra):
    body = {"email": email, "password": PASSWORD, "name": "Test User", "roles": list(roles)} | extra
    return api.post("/auth/signup", body)


def test_signup_answers_the_user_and_tokens_that_work(api, unique_email):
    answer = signup(api, unique_email, roles=("freelancer",), phone="+2348012345678",
                    location={"lat": 6.45, "lng": 3.39})
    assert answer.status_code == 201
    data = answer.json_body
    assert data["user"]["email"] == unique_email and data["user"]["email_verified"] is False
    assert data["user"]["roles"] == ["freelancer"] and data["expires_in"] == 900
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", data["user"]["id"])
    me = api.get("/me", token=data["access_token"])
    assert me.status_code == 200 and me.json_body == data["user"]


def test_a_second_signup_with_the_same_email_is_a_conflict(api, unique_email):
    assert signup(api, unique_email).status_code == 201
    again = signup(api, unique_email.upper())
    assert again.status_code == 409 and again.json_body["error"]["code"] == "conflict"


def test_two_concurrent_signups_with_one_email_give_one_account(api, unique_email):
    results: list[int] = []

    def attempt() -> None:
        results.append(signup(api, unique_email).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409]


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "password": PASSWORD, "name": "A", "roles": ["client"]}, "email"),
    ({"email": "a@example.com", "password": "short", "name": "A", "roles": ["client"]}, "password"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A", "roles": ["admin"]}, "roles.0"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A", "roles": []}, "roles"),
    ({"email": "a@example.com", "password": PASSWORD, "name": "A", "roles": ["client"], "is_admin": True},
     "is_admin"),
])
def test_invalid_signups_are_refused_with_the_field_named(api, body, field):
    answer = api.post("/auth/signup", body)
    assert answer.status_code == 422
    assert field in [d["field"] for d in answer.json_body["error"]["details"]]


def test_login_with_the_right_pair_opens_a_session(api, unique_email):
    signup(api, unique_email)
    answer = api.post("/auth/login", {"email": unique_email, "password": PASSWORD})
    assert answer.status_code == 200 and answer.json_body["user"]["email"] == unique_email


def test_login_says_the_same_for_a_wrong_password_and_an_unknown_email(api, unique_email):
    signup(api, unique_email)
    wrong = api.post("/auth/login", {"email": unique_email, "password": "wrong password!!"})
    unknown = api.post("/auth/login", {"email": "nobody-" + unique_email, "password": "wrong password!!"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json_body == unknown.json_body


def test_login_is_limited_per_email_with_retry_after(api, unique_email):
    signup(api, unique_email)
    for _ in range(10):
        assert api.post("/auth/login", {"email": unique_email, "password": "wrong password!!"}).status_code == 401
    limited = api.post("/auth/login", {"email": unique_email, "password": PASSWORD})
    assert limited.status_code == 429 and limited.json_body["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_signup_is_limited_per_source_address(api, unique_email, stack_settings):
    limit = stack_settings.signup_per_ip_per_hour
    for n in range(limit):
        assert signup(api, f"{n}-{unique_email}").status_code == 201
    limited = signup(api, f"over-{unique_email}")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_protected_routes_refuse_missing_expired_and_tampered_tokens(api, unique_email, stack_settings):
    session = signup(api, unique_email).json_body
    assert api.get("/me").status_code == 401
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    expired = jwt.encode(claims | {"exp": int(time.time()) - 1},
                         stack_settings.jwt_secret.get_secret_value(), algorithm="HS256")
    assert api.get("/me", token=expired).status_code == 401
    header, payload, signature = session["access_token"].split(".")
    forged_claims = json.loads(base64.urlsafe_b64decode(payload + "==")) | {"roles": ["admin"]}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).rstrip(b"=").decode()
    tampered = api.get("/me", token=f"{header}.{forged_payload}.{signature}")
    assert tampered.status_code == 401 and tampered.json_body["error"]["code"] == "unauthorized"
    none_alg = jwt.encode(claims, key="", algorithm="none")
    assert api.get("/me", token=none_alg).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(api, unique_email):
    session = signup(api, unique_email).json_body
    rotated = api.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.json_body["refresh_token"] != session["refresh_token"]
    reused = api.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert reused.status_code == 401
    after_reuse = api.post("/auth/refresh", {"refresh_token": rotated.json_body["refresh_token"]})
    assert after_reuse.status_code == 401


def test_logout_closes_the_session(api, unique_email):
    session = signup(api, unique_email).json_body
    out = api.post("/auth/logout", {"refresh_token": session["refresh_token"]}, token=session["access_token"])
    assert out.status_code == 204
    assert api.post("/auth/refresh", {"refresh_token": session["refresh_token"]}).status_code == 401


def token_in(mail: dict) -> str:
    found = re.search(r"<code>([^<]+)</code>", mail["body"])
    assert found, mail
    return found.group(1)


def test_email_verification_arrives_in_the_inbox_and_works_once(api, unique_email, deliver, inbox):
    session = signup(api, unique_email).json_body
    assert api.post("/auth/email/verify-request", {}, token=session["access_token"]).status_code == 202
    deliver("notifications")
    mails = inbox(unique_email)
    assert len(mails) == 1 and "Confirm your GigConnect email" in mails[0]["subject"]
    token = token_in(mails[0])
    verified = api.post("/auth/email/verify", {"token": token})
    assert verified.status_code == 200 and verified.json_body["user"]["email_verified"] is True
    assert api.get("/me", token=session["access_token"]).json_body["email_verified"] is True
    assert api.post("/auth/email/verify", {"token": token}).status_code == 400
    profile = api.get(f"/users/{session['user']['id']}", token=session["access_token"]).json_body
    assert profile["verified"] == {"email": True, "phone": False, "identity": False}


def test_password_reset_by_email_revokes_every_session(api, unique_email, deliver, inbox):
    session = signup(api, unique_email).json_body
    assert api.post("/auth/password/reset-request", {"email": unique_email}).status_code == 202
    assert api.post("/auth/password/reset-request", {"email": "ghost-" + unique_email}).status_code == 202
    deliver("notifications")
    mails = inbox(unique_email)
    assert len(mails) == 1 and inbox("ghost-" + unique_email) == []
    token = token_in(mails[0])
    assert api.post("/auth/password/reset", {"token": token, "new_password": "another long secret"}).status_code == 204
    assert api.post("/auth/refresh", {"refresh_token": session["refresh_token"]}).status_code == 401
    assert api.post("/auth/login", {"email": unique_email, "password": PASSWORD}).status_code == 401
    assert api.post("/auth/login", {"email": unique_email, "password": "another long secret"}).status_code == 200
    assert api.post("/auth/password/reset", {"token": token, "new_password": "third long secret"}).status_code == 400


def test_patch_me_changes_only_what_is_sent(api, unique_email):
    session = signup(api, unique_email, phone="+2348012345678").json_body
    token = session["access_token"]
    changed = api.patch("/me", {"name": "New Name", "roles": ["client", "freelancer"]}, token=token)
    assert changed.status_code == 200
    assert changed.json_body["name"] == "New Name" and changed.json_body["phone"] == "+2348012345678"
    assert changed.json_body["roles"] == ["client", "freelancer"]
    assert api.patch("/me", {"email": "other@example.com"}, token=token).status_code == 422


def test_freelancer_profile_is_for_freelancers_and_shows_publicly(api, unique_email):
    profile = {"headline": "Gaffer and lighting tech", "bio": "Ten years on Nollywood sets.",
               "skills": [{"name": "lighting", "level": "expert"}],
               "hourly_rate": {"amount": 1500000, "currency": "NGN"}, "availability": "available",
               "location": {"lat": 6.5244, "lng": 3.3792}, "service_radius_km": 30, "portfolio_urls": []}
    client = signup(api, "c-" + unique_email, roles=("client",)).json_body
    refused = api.put("/me/freelancer-profile", profile, token=client["access_token"])
    assert refused.status_code == 403 and refused.json_body["error"]["code"] == "forbidden"
    freelancer = signup(api, unique_email, roles=("freelancer",), phone="+2348012345678").json_body
    saved = api.put("/me/freelancer-profile", profile, token=freelancer["access_token"])
    assert saved.status_code == 200 and saved.json_body["hourly_rate"] == {"amount": 1500000, "currency": "NGN"}
    public = api.get(f"/users/{freelancer['user']['id']}", token=client["access_token"])
    assert public.status_code == 200
    body = public.json_body
    assert body["freelancer_profile"]["headline"] == "Gaffer and lighting tech"
    assert body["rating"] == {"average": 0.0, "count": 0}
    assert "email" not in body and "phone" not in body and unique_email not in json.dumps(body)


def test_an_unknown_user_is_not_found(api, unique_email):
    token = signup(api, unique_email).json_body["access_token"]
    missing = api.get("/users/01JD0000000000000000000000", token=token)
    assert missing.status_code == 404 and missing.json_body["error"]["code"] == "not_found"


def test_sparse_fields_and_etags(api, unique_email):
    token = signup(api, unique_email).json_body["access_token"]
    sparse = api.get("/me?fields=name", token=token)
    assert set(sparse.json_body) == {"id", "name"}
    full = api.get("/me", token=token)
    etag = full.headers["ETag"]
    assert api.get("/me", token=token, headers={"If-None-Match": etag}).status_code == 304
    api.patch("/me", {"name": "Changed"}, token=token)
    assert api.get("/me", token=token, headers={"If-None-Match": etag}).status_code == 200


def idempotency_record(scope: str, key: str) -> dict:
    """The idempotency item of ``key`` as DynamoDB holds it (what a leaked table would show)."""
    from gigcore import bootstrap

    item = bootstrap.container().dynamodb.get_item(
        TableName=bootstrap.settings().table_name, ConsistentRead=True,
        Key={"pk": {"S": f"IDEMPOTENCY#{scope}#{key}"}, "sk": {"S": "IDEMPOTENCY"}}).get("Item")
    assert item is not None
    return dict(item)


def anonymous_scope() -> str:
    from chalice.local import LambdaEventConverter

    return f"anon:{LambdaEventConverter.LOCAL_SOURCE_IP}"


def assert_keeps_nothing_secret(item: dict, *secrets: str) -> None:
    """No token, no password and no plain hash of either or of the body sent is in the record."""
    text = json.dumps(item)
    for secret in secrets:
        assert secret not in text
        assert hashlib.sha256(secret.encode()).hexdigest() not in text
    assert "access_token" not in text and "refresh_token" not in text and "rt_" not in text


def test_a_signup_retried_with_its_key_signs_in_again_and_the_table_keeps_no_token(api, unique_email):
    """Issue 16 item 5: the first answer (with its tokens) sat in the idempotency table for 48 h and a
    replay handed out the same refresh token again."""
    body = {"email": unique_email, "password": PASSWORD, "name": "Idem", "roles": ["client"]}
    first = api.post("/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert first.status_code == 201
    record = idempotency_record(anonymous_scope(), "signup-1")
    assert_keeps_nothing_secret(record, first.json_body["access_token"], first.json_body["refresh_token"],
                                PASSWORD, json.dumps(body))
    again = api.post("/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json_body["user"] == first.json_body["user"]
    assert again.json_body["refresh_token"] != first.json_body["refresh_token"]
    assert api.get("/me", token=again.json_body["access_token"]).status_code == 200
    for session in (first, again):  # two sessions, both usable
        assert api.post("/auth/refresh", {"refresh_token": session.json_body["refresh_token"]}).status_code == 200
    other = api.post("/auth/signup", body | {"name": "Other"}, headers={"Idempotency-Key": "signup-1"})
    assert other.status_code == 422 and other.json_body["error"]["code"] == "idempotency_key_reused"
    too_long = api.post("/auth/signup", body, headers={"Idempotency-Key": "k" * 256})
    assert too_long.status_code == 400


def test_a_signup_refused_then_retried_with_its_key_is_refused_again(api, unique_email):
    body = {"email": unique_email, "password": PASSWORD, "name": "Idem", "roles": ["client"]}
    assert signup(api, unique_email).status_code == 201
    assert api.post("/auth/signup", body, headers={"Idempotency-Key": "signup-2"}).status_code == 409
    assert api.post("/auth/signup", body, headers={"Idempotency-Key": "signup-2"}).status_code == 409


def test_a_login_retried_with_its_key_opens_a_new_session_and_the_table_keeps_no_token(api, unique_email):
    """Issue 16 item 5: the login's refresh token was replayed from the idempotency table."""
    assert signup(api, unique_email).status_code == 201
    body = {"email": unique_email, "password": PASSWORD}
    first = api.post("/auth/login", body, headers={"Idempotency-Key": "login-1"})
    assert first.status_code == 200
    assert_keeps_nothing_secret(idempotency_record(anonymous_scope(), "login-1"), first.json_body["access_token"],
                                first.json_body["refresh_token"], PASSWORD, json.dumps(body))
    again = api.post("/auth/login", body, headers={"Idempotency-Key": "login-1"})
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert again.json_body["refresh_token"] != first.json_body["refresh_token"]
    wrong = api.post("/auth/login", body | {"password": "not the password"}, headers={"Idempotency-Key": "login-1"})
    assert wrong.status_code == 422 and wrong.json_body["error"]["code"] == "idempotency_key_reused"


def test_a_refresh_retried_with_its_key_is_the_reuse_of_a_spent_token(api, unique_email):
    """Issue 16 item 5: re-sending a spent refresh token with its first Idempotency-Key got the rotated pair
    replayed and the family stayed alive."""
    session = signup(api, unique_email).json_body
    sent = {"refresh_token": session["refresh_token"]}
    rotated = api.post("/auth/refresh", sent, headers={"Idempotency-Key": "refresh-1"})
    assert rotated.status_code == 200
    assert_keeps_nothing_secret(idempotency_record(anonymous_scope(), "refresh-1"), rotated.json_body["access_token"],
                                rotated.json_body["refresh_token"], session["refresh_token"])
    replayed = api.post("/auth/refresh", sent, headers={"Idempotency-Key": "refresh-1"})
    assert replayed.status_code == 401 and "Idempotent-Replayed" not in replayed.headers
    assert "refresh_token" not in replayed.json_body
    # the whole family is revoked: the token the first answer handed out no longer works
    after = api.post("/auth/refresh", {"refresh_token": rotated.json_body["refresh_token"]})
    assert after.status_code == 401


def test_an_email_verification_token_is_not_kept_in_the_request_hash(api, unique_email):
    """A body's secret (here a one-time token) is hashed with a server-side key, never kept as SHA-256."""
    body = {"token": "a-guessable-token"}
    api.post("/auth/email/verify", body, headers={"Idempotency-Key": "verify-1"})
    record = idempotency_record(anonymous_scope(), "verify-1")
    raw = json.dumps(body).encode()
    assert record["request_hash"]["S"] not in {hashlib.sha256(raw).hexdigest(),
                                                hashlib.sha256(b"POST /auth/email/verify\n" + raw).hexdigest()}


def test_a_patch_of_me_with_nothing_to_change_is_refused(api, unique_email):
    """Issue 16 item 14: PATCH /me with no body answered 200."""
    session = signup(api, unique_email).json_body
    token = session["access_token"]
    for sent in (None, {}):
        answer = api.patch("/me", sent, token=token)
        assert answer.status_code == 422
        assert answer.json_body["error"]["details"] == [{"field": "body", "issue": "no field to change"}]
    for field in ("name", "roles"):
        answer = api.patch("/me", {field: None}, token=token)
        assert answer.status_code == 422 and answer.json_body["error"]["details"][0]["field"] == field
    assert api.get("/me", token=token).json_body == session["user"]


def test_a_route_without_a_body_refuses_fields_and_does_nothing(api, unique_email, inbox, deliver):
    """Issue 16 item 8: a route declared without a body ignored whatever was sent."""
    token = signup(api, unique_email).json_body["access_token"]
    refused = api.post("/auth/email/verify-request", {"email": "someone-else@example.com"}, token=token)
    assert refused.status_code == 422
    assert refused.json_body["error"]["details"] == [{"field": "email", "issue": "unknown field"}]
    deliver("notifications")
    assert inbox(unique_email) == []
    assert api.post("/auth/email/verify-request", {}, token=token).status_code == 202
    assert api.post("/auth/email/verify-request", token=token).status_code == 202


def test_reset_requests_are_limited_per_email(api, unique_email):
    for _ in range(5):
        assert api.post("/auth/password/reset-request", {"email": unique_email}).status_code == 202
    limited = api.post("/auth/password/reset-request", {"email": unique_email.upper()})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_a_body_over_256_kb_is_refused_and_creates_nothing(api, unique_email):
    answer = api.post("/auth/signup", {"email": unique_email, "password": PASSWORD, "name": "x" * (270 * 1024),
                                       "roles": ["client"]})
    assert answer.status_code == 413 and answer.json_body["error"]["code"] == "payload_too_large"
    assert api.post("/auth/login", {"email": unique_email, "password": PASSWORD}).status_code == 401


def test_user_routes_need_a_token(api):
    assert api.post("/auth/logout", {"refresh_token": "rt_x"}).status_code == 401
    assert api.post("/auth/email/verify-request", {}).status_code == 401
    assert api.patch("/me", {"name": "x"}).status_code == 401
    assert api.get("/users/01JD0000000000000000000000").status_code == 401


def test_verification_requests_are_limited_per_user(api, unique_email, deliver, inbox):
    """issue 16 item 13: every POST /auth/email/verify-request sent one more email, without limit."""
    session = signup(api, unique_email).json_body
    answers = [api.post("/auth/email/verify-request", {}, token=session["access_token"]) for _ in range(8)]
    assert [a.status_code for a in answers[:5]] == [202] * 5
    limited = answers[5]
    assert limited.status_code == 429 and limited.json_body["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    deliver("notifications")
    assert len(inbox(unique_email)) == 5


def _verification_token(api, email, deliver, inbox) -> tuple[dict, str]:
    session = signup(api, email).json_body
    assert api.post("/auth/email/verify-request", {}, token=session["access_token"]).status_code == 202
    deliver("notifications")
    return session, token_in(inbox(email)[-1])


def test_a_verification_whose_user_write_keeps_conflicting_does_not_use_the_token_up(api, unique_email, deliver,
                                                                                      inbox, monkeypatch):
    """issue 16 item 13: the token was consumed, then the user write conflicted, and the link was dead."""
    from gigcore.adapters.dynamo_users import DynamoUserRepository
    from gigcore.domain.errors import ConflictError

    session, token = _verification_token(api, unique_email, deliver, inbox)
    real_save = DynamoUserRepository.save

    def always_changed_meanwhile(self, user, events=()):
        raise ConflictError("The account was changed by another request; try again.")

    monkeypatch.setattr(DynamoUserRepository, "save", always_changed_meanwhile)
    failed = api.post("/auth/email/verify", {"token": token})
    assert failed.status_code == 409 and failed.json_body["error"]["code"] == "conflict"
    assert api.get("/me", token=session["access_token"]).json_body["email_verified"] is False

    monkeypatch.setattr(DynamoUserRepository, "save", real_save)
    again = api.post("/auth/email/verify", {"token": token})
    assert again.status_code == 200 and again.json_body["user"]["email_verified"] is True
    assert api.post("/auth/email/verify", {"token": token}).status_code == 400  # now it is used up


def test_a_reset_racing_a_change_of_the_user_still_applies(api, unique_email, deliver, inbox, monkeypatch):
    """issue 16 item 13: a concurrent change of the user (a PATCH /me) between reading and writing it."""
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_users import DynamoUserRepository

    session = signup(api, unique_email).json_body
    assert api.post("/auth/password/reset-request", {"email": unique_email}).status_code == 202
    deliver("notifications")
    token = token_in(inbox(unique_email)[-1])
    real_save = DynamoUserRepository.save
    raced = []

    def save_after_a_concurrent_change(self, user, events=()):
        if not raced:  # another request changes the name first: this write's version is stale
            raced.append(True)
            current = bootstrap.container().users.get(user.id)
            real_save(self, current.changed(name="Renamed Meanwhile"))
        return real_save(self, user, events)

    monkeypatch.setattr(DynamoUserRepository, "save", save_after_a_concurrent_change)
    answer = api.post("/auth/password/reset", {"token": token, "new_password": "another long secret"})
    assert answer.status_code == 204 and raced
    monkeypatch.setattr(DynamoUserRepository, "save", real_save)
    assert api.post("/auth/login", {"email": unique_email, "password": "another long secret"}).status_code == 200
    me = api.get("/me", token=session["access_token"]).json_body
    assert me["name"] == "Renamed Meanwhile"  # both changes kept
    assert api.post("/auth/refresh", {"refresh_token": session["refresh_token"]}).status_code == 401


def test_an_access_token_ends_at_its_expiry_on_the_stack_clock(api, unique_email, monkeypatch):
    """Authentication reads the time from the container's clock (the Clock port), as the services do: a token
    used a second past its 15 minutes is refused, the same token a second before is not."""
    from datetime import UTC, datetime, timedelta

    from gigcore import bootstrap
    from tests.fake_clock import FakeClock

    session = signup(api, unique_email).json_body
    issued = datetime.now(UTC)
    clock = FakeClock(issued + timedelta(seconds=session["expires_in"] - 5))
    monkeypatch.setitem(bootstrap.container().__dict__, "clock", clock)
    assert api.get("/me", token=session["access_token"]).status_code == 200
    clock.advance(seconds=10)
    late = api.get("/me", token=session["access_token"])
    assert late.status_code == 401 and late.json_body["error"]["code"] == "unauthorized"
