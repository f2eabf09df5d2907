"""Auth use cases against fakes: what a user would see, without sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigcore.adapters.jwt_tokens import JwtAccessTokens
from gigcore.domain.errors import ConflictError, MalformedRequestError, RateLimitedError, UnauthorizedError
from gigcore.domain.users import SignUp
from gigcore.ports import OutboxEvent
from gigcore.services import auth
from tests.fakes import FakeHasher, FakeLimiter, FakeOneTimeTokens, FakeQueue, FakeRefreshTokens, FakeUsers

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
POLICY = auth.AuthPolicy(login_per_email_per_15min=3)


@pytest.fixture
def ports() -> auth.AuthPorts:
    users = FakeUsers()
    return auth.AuthPorts(
        users=users, hasher=FakeHasher(), access=JwtAccessTokens(b"k" * 32, 900),
        refresh=FakeRefreshTokens(users), one_time=FakeOneTimeTokens(), limiter=FakeLimiter(), queue=FakeQueue(),
    )


def signup(ports: auth.AuthPorts, email: str = "ada@example.com") -> auth.Session:
    cmd = SignUp(email=email, password="correct horse battery", name="Ada", roles=("freelancer",))
    return auth.signup(cmd, source_ip="10.0.0.1", ports=ports, policy=POLICY, now=NOW)


def test_a_new_account_gets_tokens_that_identify_it(ports):
    session = signup(ports)
    who = ports.access.verify(session.tokens.access_token, NOW)
    assert who.user_id == session.user.id and who.roles == ("freelancer",)
    assert session.tokens.expires_in == 900


def test_the_same_email_in_another_case_is_a_conflict(ports):
    signup(ports)
    with pytest.raises(ConflictError):
        signup(ports, "ADA@example.com")


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(ports):
    signup(ports)
    with pytest.raises(UnauthorizedError) as wrong:
        auth.login("ada@example.com", "not the password", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(UnauthorizedError) as unknown:
        auth.login("nobody@example.com", "not the password", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    assert wrong.value.message == unknown.value.message
    assert ports.hasher.dummy_checks == 1  # the unknown email still paid for a hash


def test_login_is_limited_per_email(ports):
    signup(ports)
    for _ in range(3):
        with pytest.raises(UnauthorizedError):
            auth.login("ada@example.com", "bad password!", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(RateLimitedError) as limited:
        auth.login("ada@example.com", "correct horse battery", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    assert limited.value.headers["Retry-After"] == "300"


def test_an_expired_access_token_is_refused(ports):
    session = signup(ports)
    with pytest.raises(UnauthorizedError):
        ports.access.verify(session.tokens.access_token, NOW + timedelta(minutes=16))


def test_refresh_rotates_and_a_reused_token_closes_the_family(ports):
    session = signup(ports)
    first = auth.refresh(session.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)
    assert first.refresh_token != session.tokens.refresh_token
    with pytest.raises(UnauthorizedError):
        auth.refresh(session.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(UnauthorizedError):  # the thief's reuse also killed the legitimate newer token
        auth.refresh(first.refresh_token, ports=ports, policy=POLICY, now=NOW)


def test_a_password_reset_ends_every_session(ports):
    session = signup(ports)
    auth.request_password_reset("ADA@example.com", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    queued = ports.queue.sent[-1][1]
    assert queued["type"] == auth.PASSWORD_RESET_REQUESTED
    email = auth.prepare_reset_email(queued["payload"]["email"], ports=ports, policy=POLICY, link_base="gc://",
                                     now=NOW)
    assert email is not None and email.to == "ada@example.com"
    token = email.text.split("\n\n")[2].strip()
    auth.reset_password(token, "a brand new secret", ports=ports, now=NOW)
    with pytest.raises(UnauthorizedError):
        auth.refresh(session.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)
    auth.login("ada@example.com", "a brand new secret", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(MalformedRequestError):  # single use
        auth.reset_password(token, "another new secret", ports=ports,
                            now=NOW)


def test_a_reset_for_an_unknown_email_queues_the_same_work_and_sends_nothing(ports):
    auth.request_password_reset("ghost@example.com", source_ip="1", ports=ports, policy=POLICY, now=NOW)
    assert len(ports.queue.sent) == 1
    assert auth.prepare_reset_email("ghost@example.com", ports=ports, policy=POLICY, link_base="gc://",
                                    now=NOW) is None


def test_a_verification_token_expires(ports):
    session = signup(ports)
    email = auth.prepare_verification_email(session.user.id, ports=ports, policy=POLICY, link_base="gc://",
                                            now=NOW)
    assert email is not None
    token = email.text.split("\n\n")[2].strip()
    with pytest.raises(MalformedRequestError):
        auth.verify_email(token, ports=ports, now=NOW + timedelta(hours=49))


def test_a_login_stores_the_password_again_when_the_hashing_parameters_changed(ports):
    from dataclasses import replace

    from gigcore.adapters.passwords import Argon2PasswordHasher

    old = Argon2PasswordHasher(time_cost=1, memory_kib=8_192, parallelism=2)
    new = Argon2PasswordHasher(time_cost=2, memory_kib=8_192, parallelism=1)
    ports = replace(ports, hasher=old)
    user = ports.users.get(signup(ports).user.id)
    ports = replace(ports, hasher=new)

    session = auth.login("ada@example.com", "correct horse battery", source_ip="1", ports=ports, policy=POLICY,
                         now=NOW)
    stored = ports.users.get(user.id)
    assert session.user.version == stored.version == user.version + 1
    assert stored.password_hash.startswith("$argon2id$v=19$m=8192,t=2,p=1$")
    assert not new.needs_rehash(stored.password_hash)

    again = auth.login("ada@example.com", "correct horse battery", source_ip="1", ports=ports, policy=POLICY,
                       now=NOW)
    assert ports.users.get(user.id).version == stored.version  # nothing to re-hash: no write
    assert again.user.id == user.id
    with pytest.raises(UnauthorizedError):
        auth.login("ada@example.com", "not the password", source_ip="1", ports=ports, policy=POLICY, now=NOW)


def test_the_password_hasher_reads_hashes_of_other_parameters_and_refuses_garbage():
    from argon2 import PasswordHasher

    from gigcore.adapters.passwords import Argon2PasswordHasher

    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=8_192)
    made_by_the_library_default = PasswordHasher().hash("correct horse battery")
    assert hasher.verify(made_by_the_library_default, "correct horse battery")
    assert not hasher.verify(made_by_the_library_default, "correct horse batterY")
    assert hasher.needs_rehash(made_by_the_library_default)
    assert not hasher.needs_rehash(hasher.hash("correct horse battery"))
    assert not hasher.verify("not a hash", "correct horse battery")
    assert hasher.needs_rehash("not a hash")


# ---- more of what a user sees (issue 17 item 3) ----------------------------------------------------------


def verification_token(ports: auth.AuthPorts, user_id: str) -> str:
    email = auth.prepare_verification_email(user_id, ports=ports, policy=POLICY, link_base="gc://", now=NOW)
    assert email is not None
    return email.text.split("\n\n")[2].strip()


def test_an_email_is_verified_once_with_the_mailed_code(ports):
    session = signup(ports)
    auth.request_email_verification(session.user.id, ports=ports, policy=POLICY, now=NOW)
    [(queue, message)] = ports.queue.sent
    assert (queue, message["type"], message["payload"]) == (
        "notifications", auth.EMAIL_VERIFICATION_REQUESTED, {"user_id": session.user.id})
    email = auth.prepare_verification_email(session.user.id, ports=ports, policy=POLICY, link_base="gc://app/",
                                            now=NOW)
    assert email is not None and email.to == "ada@example.com" and "gc://app/verify-email?token=" in email.text
    token = email.text.split("\n\n")[2].strip()
    assert auth.verify_email(token, ports=ports, now=NOW).email_verified is True
    with pytest.raises(MalformedRequestError) as spent:
        auth.verify_email(token, ports=ports, now=NOW)
    assert spent.value.details[0].field == "token"


def test_a_verified_user_is_sent_nothing_more(ports):
    session = signup(ports)
    auth.verify_email(verification_token(ports, session.user.id), ports=ports, now=NOW)
    auth.request_email_verification(session.user.id, ports=ports, policy=POLICY, now=NOW)
    assert ports.queue.sent == []
    assert auth.prepare_verification_email(session.user.id, ports=ports, policy=POLICY, link_base="gc://",
                                           now=NOW) is None


def test_verification_requests_are_limited_per_user(ports):
    session = signup(ports)
    for _ in range(POLICY.verify_per_user_per_hour):
        auth.request_email_verification(session.user.id, ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(RateLimitedError):
        auth.request_email_verification(session.user.id, ports=ports, policy=POLICY, now=NOW)
    assert len(ports.queue.sent) == POLICY.verify_per_user_per_hour


def test_signups_are_limited_per_address(ports):
    policy = auth.AuthPolicy(signup_per_ip_per_hour=2)
    for n in range(2):
        cmd = SignUp(email=f"n{n}@example.com", password="correct horse battery", name="N", roles=("client",))
        auth.signup(cmd, source_ip="10.9.9.9", ports=ports, policy=policy, now=NOW)
    cmd = SignUp(email="n3@example.com", password="correct horse battery", name="N", roles=("client",))
    with pytest.raises(RateLimitedError):
        auth.signup(cmd, source_ip="10.9.9.9", ports=ports, policy=policy, now=NOW)
    assert ports.users.by_email("n3@example.com") is None


def test_logout_closes_the_callers_session_only(ports):
    mine, other = signup(ports), signup(ports, "bob@example.com")
    auth.logout(other.user.id, mine.tokens.refresh_token, ports=ports)  # not Bob's token: nothing happens
    auth.refresh(mine.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)
    session = auth.login("ada@example.com", "correct horse battery", source_ip="1", ports=ports, policy=POLICY,
                         now=NOW)
    auth.logout(session.user.id, session.tokens.refresh_token, ports=ports)
    with pytest.raises(UnauthorizedError):
        auth.refresh(session.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)
    auth.refresh(other.tokens.refresh_token, ports=ports, policy=POLICY, now=NOW)


def test_an_unknown_or_expired_refresh_token_is_refused(ports):
    session = signup(ports)
    with pytest.raises(UnauthorizedError):
        auth.refresh("rt_not-a-token", ports=ports, policy=POLICY, now=NOW)
    with pytest.raises(UnauthorizedError):
        auth.refresh(session.tokens.refresh_token, ports=ports, policy=POLICY,
                     now=NOW + timedelta(seconds=POLICY.refresh_ttl_seconds))


class RacingUsers(FakeUsers):
    """Every save loses a race with another change of the user."""

    def save(self, user, events=()):
        current = self.by_id[user.id]
        self.by_id[user.id] = current.changed(version=current.version + 1)
        return super().save(user, events)


def test_a_token_whose_change_cannot_be_written_is_given_back(ports):
    from dataclasses import replace

    session = signup(ports)
    token = verification_token(ports, session.user.id)
    racing = RacingUsers()
    racing.by_id = ports.users.by_id
    with pytest.raises(ConflictError):
        auth.verify_email(token, ports=replace(ports, users=racing), now=NOW)
    # The link in the email still works once the user stops changing.
    assert auth.verify_email(token, ports=ports, now=NOW).email_verified is True


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []

    def send(self, to: str, subject: str, text: str, html: str) -> None:
        self.sent.append((to, subject, text, html))


def test_the_two_token_emails_say_what_they_are_for_with_their_token_and_link(ports, monkeypatch):
    """Issue 17: both emails come from one template; each keeps its own words, link, escaping and lifetime."""
    session = signup(ports)
    stored = ports.users.get(session.user.id)
    assert stored is not None
    ports.users.save(stored.changed(name='Ada <"&">'))
    tokens = iter(["tok-verify", "tok-reset"])
    monkeypatch.setattr(auth.secrets, "token_urlsafe", lambda n: next(tokens))
    mailer = FakeMailer()
    auth.send_verification_email(OutboxEvent(id="e1", type=auth.EMAIL_VERIFICATION_REQUESTED, queue="notifications",
                                             payload={"user_id": session.user.id}),
                                 ports=ports, policy=POLICY, mailer=mailer, link_base="gc://app/", now=NOW)
    auth.send_reset_email(OutboxEvent(id="e2", type=auth.PASSWORD_RESET_REQUESTED, queue="notifications",
                                      payload={"email": "ADA@example.com"}),
                          ports=ports, policy=POLICY, mailer=mailer, link_base="gc://app/", now=NOW)
    assert mailer.sent == [
        ("ada@example.com", "Confirm your GigConnect email",
         'Hello Ada <"&">,\n\nConfirm your email address with this code:\n\ntok-verify\n\n'
         "or open gc://app/verify-email?token=tok-verify\n\nThe code works once and expires in 48 hours.",
         "<p>Hello Ada &lt;&quot;&amp;&quot;&gt;,</p><p>Confirm your email address with this code:</p>"
         '<p><code>tok-verify</code></p><p><a href="gc://app/verify-email?token=tok-verify">Confirm my email</a></p>'
         "<p>The code works once and expires in 48 hours.</p>"),
        ("ada@example.com", "Reset your GigConnect password",
         'Hello Ada <"&">,\n\nUse this code to choose a new password:\n\ntok-reset\n\n'
         "or open gc://app/reset-password?token=tok-reset\n\n"
         "It works once and expires in one hour. If you did not ask for it, ignore this email.",
         "<p>Hello Ada &lt;&quot;&amp;&quot;&gt;,</p><p>Use this code to choose a new password:</p>"
         '<p><code>tok-reset</code></p><p><a href="gc://app/reset-password?token=tok-reset">Reset my password</a></p>'
         "<p>It works once and expires in one hour. If you did not ask for it, ignore this email.</p>"),
    ]
    expires = {key: found[1] for key, found in ports.one_time.tokens.items()}
    assert expires == {(auth.VERIFY, auth.token_hash("tok-verify")): int(NOW.timestamp()) + 48 * 3600,
                       (auth.RESET, auth.token_hash("tok-reset")): int(NOW.timestamp()) + 3600}


def test_an_access_token_lives_by_the_clock_it_is_given_not_the_system_clock(ports):
    """Issued and checked on a clock a year ahead of the system's: it holds for its 15 minutes, then ends."""
    later = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)
    user = ports.users.get(signup(ports).user.id)
    assert user is not None
    token, ttl = ports.access.issue(user, later)
    assert ports.access.verify(token, later + timedelta(seconds=ttl - 1)).user_id == user.id
    with pytest.raises(UnauthorizedError, match="expired"):
        ports.access.verify(token, later + timedelta(seconds=ttl))
