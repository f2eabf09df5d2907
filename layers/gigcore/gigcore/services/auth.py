"""Sign-up, login, token refresh and logout, email verification, password reset.

Idempotency is handled by the HTTP layer; here every function is a single use case that raises domain
errors. Answers never reveal whether an email is registered (except sign-up's 409, which the contract
requires), and login spends the same hashing time whether or not the email exists.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gigcore.domain.errors import ConflictError, ErrorDetail, MalformedRequestError, NotFoundError, UnauthorizedError
from gigcore.domain.ids import new_id
from gigcore.domain.users import SignUp, User, normalise_email
from gigcore.ports import OutboxEvent, Queue
from gigcore.ports.auth import (
    AccessTokens,
    Mailer,
    OneTimeToken,
    OneTimeTokenStore,
    PasswordHasher,
    RateLimiter,
    RefreshRecord,
    RefreshTokenStore,
    UserRepository,
)
from gigcore.services.retry import retry_on_conflict

VERIFY = "verify"
RESET = "reset"
EMAIL_VERIFICATION_REQUESTED = "auth.email_verification_requested"
PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"  # noqa: S105 (an event type)


@dataclass(frozen=True)
class AuthPolicy:
    refresh_ttl_seconds: int = 30 * 24 * 3600
    verify_ttl_seconds: int = 48 * 3600
    reset_ttl_seconds: int = 3600
    signup_per_ip_per_hour: int = 100
    login_per_email_per_15min: int = 10
    login_per_ip_per_15min: int = 300
    reset_per_email_per_hour: int = 5
    verify_per_user_per_hour: int = 5


@dataclass(frozen=True)
class AuthPorts:
    users: UserRepository
    hasher: PasswordHasher
    access: AccessTokens
    refresh: RefreshTokenStore
    one_time: OneTimeTokenStore
    limiter: RateLimiter
    queue: Queue


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Session:
    user: User
    tokens: Tokens


def token_hash(token: str) -> str:
    """Tokens are stored as their SHA-256: a leaked table gives no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _wrong_pair() -> UnauthorizedError:
    return UnauthorizedError("The email or password is not correct.")


def _invalid_refresh() -> UnauthorizedError:
    return UnauthorizedError("The refresh token is not valid.")


def _new_refresh(ports: AuthPorts, policy: AuthPolicy, user: User, family_id: str, now: datetime) -> tuple[
        str, RefreshRecord]:
    token = "rt_" + secrets.token_urlsafe(32)
    record = RefreshRecord(
        token_hash=token_hash(token),
        user_id=user.id,
        family_id=family_id,
        generation=user.session_generation,
        spent=False,
        expires_at=int(now.timestamp()) + policy.refresh_ttl_seconds,
    )
    return token, record


def _open_session(ports: AuthPorts, policy: AuthPolicy, user: User, now: datetime) -> Session:
    refresh_token, record = _new_refresh(ports, policy, user, new_id(), now)
    ports.refresh.put(record)
    access_token, expires_in = ports.access.issue(user, now, session_id=record.family_id)
    return Session(user=user, tokens=Tokens(access_token, refresh_token, expires_in))


def signup(cmd: SignUp, *, source_ip: str, ports: AuthPorts, policy: AuthPolicy, now: datetime) -> Session:
    """Create a user and open a session. :class:`ConflictError` when the email is registered."""
    ports.limiter.take("signup-ip", source_ip, capacity=policy.signup_per_ip_per_hour, per_seconds=3600,
                       now=now.timestamp())
    user = User(
        id=new_id(),
        email=cmd.email.strip(),
        name=cmd.name,
        roles=tuple(cmd.roles),
        password_hash=ports.hasher.hash(cmd.password),
        created_at=now,
        phone=cmd.phone,
        location=cmd.location,
    )
    ports.users.add(user)
    return _open_session(ports, policy, user, now)


def login(email: str, password: str, *, source_ip: str, ports: AuthPorts, policy: AuthPolicy,
          now: datetime) -> Session:
    """A new session for a correct pair; the same 401 for a wrong password and an unknown email."""
    ports.limiter.take("login-ip", source_ip, capacity=policy.login_per_ip_per_15min, per_seconds=900,
                       now=now.timestamp())
    ports.limiter.take("login-email", normalise_email(email), capacity=policy.login_per_email_per_15min,
                       per_seconds=900, now=now.timestamp())
    user = ports.users.by_email(normalise_email(email))
    if user is None:
        ports.hasher.verify_dummy(password)
        raise _wrong_pair()
    if not ports.hasher.verify(user.password_hash, password):
        raise _wrong_pair()
    if ports.hasher.needs_rehash(user.password_hash):
        user = _rehashed(ports, user, password)
    return _open_session(ports, policy, user, now)


def _rehashed(ports: AuthPorts, user: User, password: str) -> User:
    """The user with ``password`` stored under the hashing parameters configured now (they changed since it
    was set). A concurrent change of the user wins: the next login tries again."""
    try:
        return ports.users.save(user.changed(password_hash=ports.hasher.hash(password)))
    except ConflictError:
        return user


def refresh(refresh_token: str, *, ports: AuthPorts, policy: AuthPolicy, now: datetime) -> Tokens:
    """Rotate a refresh token. Presenting a spent one revokes its whole family (token theft)."""
    record = ports.refresh.get(token_hash(refresh_token))
    if record is None or record.expires_at <= now.timestamp():
        raise _invalid_refresh()
    if record.spent:
        ports.refresh.revoke_family(record.family_id)
        raise UnauthorizedError("The refresh token was already used; every session of it is now closed.")
    if ports.refresh.family_revoked(record.family_id):
        raise _invalid_refresh()
    user = ports.users.get(record.user_id)
    if user is None or user.session_generation != record.generation:
        raise _invalid_refresh()
    new_token, new_record = _new_refresh(ports, policy, user, record.family_id, now)
    if not ports.refresh.rotate(record.token_hash, new_record):
        # Lost a race with another use of the same token: that is reuse too.
        ports.refresh.revoke_family(record.family_id)
        raise UnauthorizedError("The refresh token was already used; every session of it is now closed.")
    access_token, expires_in = ports.access.issue(user, now, session_id=record.family_id)
    return Tokens(access_token, new_token, expires_in)


def logout(user_id: str, refresh_token: str, *, ports: AuthPorts) -> None:
    """Close the session (token family) of ``refresh_token`` if it is the caller's; silent otherwise."""
    record = ports.refresh.get(token_hash(refresh_token))
    if record is not None and record.user_id == user_id:
        ports.refresh.revoke_family(record.family_id)


def request_email_verification(user_id: str, *, ports: AuthPorts, policy: AuthPolicy, now: datetime) -> None:
    """Queue the verification email; the notifications consumer makes the token and sends it. Limited per
    user (:class:`RateLimitedError`): each request sends an email."""
    ports.limiter.take("verify-user", user_id, capacity=policy.verify_per_user_per_hour, per_seconds=3600,
                       now=now.timestamp())
    user = ports.users.get(user_id)
    if user is None:
        raise NotFoundError("The user does not exist.")
    if user.email_verified:
        return
    ports.queue.send("notifications", {"id": new_id(), "type": EMAIL_VERIFICATION_REQUESTED,
                                       "payload": {"user_id": user.id}})


def request_password_reset(email: str, *, source_ip: str, ports: AuthPorts, policy: AuthPolicy,
                           now: datetime) -> None:
    """Always the same work and answer: the lookup happens later, in the consumer."""
    ports.limiter.take("reset-email", normalise_email(email), capacity=policy.reset_per_email_per_hour,
                       per_seconds=3600, now=now.timestamp())
    ports.queue.send("notifications", {"id": new_id(), "type": PASSWORD_RESET_REQUESTED,
                                       "payload": {"email": normalise_email(email)}})


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _TokenMail:
    """What an email carrying a single-use token says, around the token and its link."""

    path: str
    subject: str
    lead: str
    action: str
    closing: str


_VERIFY_MAIL = _TokenMail(path="verify-email", subject="Confirm your GigConnect email",
                          lead="Confirm your email address with this code:", action="Confirm my email",
                          closing="The code works once and expires in 48 hours.")
_RESET_MAIL = _TokenMail(path="reset-password", subject="Reset your GigConnect password",
                         lead="Use this code to choose a new password:", action="Reset my password",
                         closing="It works once and expires in one hour. If you did not ask for it, ignore this email.")


def _token_email(purpose: str, mail: _TokenMail, user: User, *, ttl_seconds: int, ports: AuthPorts,
                 link_base: str, now: datetime) -> OutgoingEmail:
    """A fresh single-use token of ``purpose`` for ``user`` (stored as its hash), and the email carrying it."""
    token = secrets.token_urlsafe(32)
    ports.one_time.put(purpose, token_hash(token), user.id, int(now.timestamp()) + ttl_seconds)
    link = f"{link_base}{mail.path}?token={token}"
    return OutgoingEmail(
        to=user.email,
        subject=mail.subject,
        text=f"Hello {user.name},\n\n{mail.lead}\n\n{token}\n\nor open {link}\n\n{mail.closing}",
        html=f"<p>Hello {_escape(user.name)},</p><p>{mail.lead}</p><p><code>{token}</code></p>"
             f"<p><a href=\"{link}\">{mail.action}</a></p><p>{mail.closing}</p>",
    )


def prepare_verification_email(user_id: str, *, ports: AuthPorts, policy: AuthPolicy, link_base: str,
                               now: datetime) -> OutgoingEmail | None:
    """Consumer side: a fresh single-use token for a still-unverified user, and the email carrying it."""
    user = ports.users.get(user_id)
    if user is None or user.email_verified:
        return None
    return _token_email(VERIFY, _VERIFY_MAIL, user, ttl_seconds=policy.verify_ttl_seconds, ports=ports,
                        link_base=link_base, now=now)


def prepare_reset_email(email: str, *, ports: AuthPorts, policy: AuthPolicy, link_base: str,
                        now: datetime) -> OutgoingEmail | None:
    """Consumer side: a reset token and email for a registered address; None for an unknown one."""
    user = ports.users.by_email(normalise_email(email))
    if user is None:
        return None
    return _token_email(RESET, _RESET_MAIL, user, ttl_seconds=policy.reset_ttl_seconds, ports=ports,
                        link_base=link_base, now=now)


def _send(email: OutgoingEmail | None, mailer: Mailer) -> None:
    if email is not None:
        mailer.send(email.to, email.subject, email.text, email.html)


def send_verification_email(event: OutboxEvent, *, ports: AuthPorts, policy: AuthPolicy, mailer: Mailer,
                            link_base: str, now: datetime) -> None:
    """Consumer of ``auth.email_verification_requested``: mails a fresh link to a still-unverified user."""
    _send(prepare_verification_email(str(event.payload["user_id"]), ports=ports, policy=policy,
                                     link_base=link_base, now=now), mailer)


def send_reset_email(event: OutboxEvent, *, ports: AuthPorts, policy: AuthPolicy, mailer: Mailer,
                     link_base: str, now: datetime) -> None:
    """Consumer of ``auth.password_reset_requested``: mails a reset link to a registered address."""
    _send(prepare_reset_email(str(event.payload["email"]), ports=ports, policy=policy, link_base=link_base,
                              now=now), mailer)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _bad_token() -> MalformedRequestError:
    return MalformedRequestError("The token is not valid or has expired.",
                                 details=[ErrorDetail(field="token", issue="invalid or expired")])


#: A token's user write is tried again this many times when a concurrent change of the user gets in its way.
_TOKEN_WRITE_ATTEMPTS = 3


def _spend_token(purpose: str, token: str, change: Callable[[User], User | None], *, ports: AuthPorts,
                 now: datetime) -> User:
    """Consume a single-use token and write its user change, together: when the write fails (a concurrent
    change of the user every time, or an outage) the token is given back, so the link in the email still
    works. ``change`` returns None when there is nothing to write."""
    consumed = ports.one_time.consume(purpose, token_hash(token), int(now.timestamp()))
    if consumed is None:
        raise _bad_token()
    used: OneTimeToken = consumed

    def attempt() -> User:
        user = ports.users.get(used.user_id)
        if user is None:
            raise _bad_token()
        changed = change(user)
        return user if changed is None else ports.users.save(changed)

    try:
        return retry_on_conflict(attempt, attempts=_TOKEN_WRITE_ATTEMPTS)
    except Exception:
        ports.one_time.put(purpose, token_hash(token), used.user_id, used.expires_at)
        raise


def verify_email(token: str, *, ports: AuthPorts, now: datetime) -> User:
    return _spend_token(VERIFY, token, lambda user: None if user.email_verified else user.changed(email_verified=True),
                        ports=ports, now=now)


def reset_password(token: str, new_password: str, *, ports: AuthPorts, now: datetime) -> None:
    """Set a new password and end every session of the user (all refresh-token families)."""
    password_hash = ports.hasher.hash(new_password)
    _spend_token(RESET, token, lambda user: user.changed(password_hash=password_hash,
                                                             session_generation=user.session_generation + 1),
                 ports=ports, now=now)
