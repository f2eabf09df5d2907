"""Ports of the users and auth area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from gigcore.domain.users import Principal, User

if TYPE_CHECKING:
    from gigcore.ports import OutboxEvent


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Store a new user and its email-uniqueness item in one transaction.

        Raises :class:`ConflictError` when the email is taken (two concurrent sign-ups: one wins).
        """

    def get(self, user_id: str) -> User | None: ...

    def get_many(self, user_ids: Sequence[str]) -> dict[str, User]:
        """The users of ``user_ids`` that exist, by id, in one batch (eventually consistent: for lists)."""

    def by_email(self, email: str) -> User | None:
        """The user whose normalised email is ``email`` (consistent read)."""

    def admins(self, *, limit: int) -> list[User]:
        """Up to ``limit`` users with the admin role (to tell them of what needs one, e.g. a dispute)."""

    def save(self, user: User, events: Sequence[OutboxEvent] = ()) -> User:
        """Write ``user`` if nobody changed it since it was read (optimistic, on ``version``), with ``events``
        in the same transaction (the outbox).

        Returns the stored user (version + 1). Raises :class:`ConflictError` on a concurrent change.
        """


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True on a match. Always takes the full hashing time, so timing tells nothing."""

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a verification against no user (no user enumeration by timing)."""

    def needs_rehash(self, password_hash: str) -> bool:
        """True when ``password_hash`` was made with other parameters than the ones configured now."""


@dataclass(frozen=True)
class AccessGrant:
    """What a verified access token says: who, until when, and of which session."""

    principal: Principal
    expires_at: int
    #: The refresh-token family the token was issued in; None for a token that names none.
    session_id: str | None
    #: The user's ``session_generation`` when the token was issued (a password reset moves it on).
    generation: int


class AccessTokens(Protocol):
    def issue(self, user: User, now: datetime, *, session_id: str | None = None) -> tuple[str, int]:
        """A signed access token for ``user`` (in the session ``session_id``) and its lifetime in seconds."""

    def verify(self, token: str, now: datetime) -> Principal:
        """The caller of a valid token; :class:`UnauthorizedError` when expired, forged or malformed."""

    def grant(self, token: str, now: datetime) -> AccessGrant:
        """Like :meth:`verify`, with the token's expiry and session."""


@dataclass(frozen=True)
class RefreshRecord:
    token_hash: str
    user_id: str
    family_id: str
    generation: int
    spent: bool
    expires_at: int


class RefreshTokenStore(Protocol):
    def put(self, record: RefreshRecord) -> None: ...

    def get(self, token_hash: str) -> RefreshRecord | None: ...

    def rotate(self, spent_hash: str, new: RefreshRecord) -> bool:
        """Mark ``spent_hash`` spent and store ``new``, atomically; False if it was already spent."""

    def revoke_family(self, family_id: str) -> None: ...

    def family_revoked(self, family_id: str) -> bool: ...

    def session_open(self, user_id: str, family_id: str | None, generation: int) -> bool:
        """False when the family was revoked (logout, reuse) or the user's sessions were all ended since
        ``generation`` (a password reset); one read."""


@dataclass(frozen=True)
class OneTimeToken:
    user_id: str
    expires_at: int


class OneTimeTokenStore(Protocol):
    """Email verification and password reset tokens, stored hashed, single use, expiring."""

    def put(self, purpose: str, token_hash: str, user_id: str, expires_at: int) -> None: ...

    def consume(self, purpose: str, token_hash: str, now: int) -> OneTimeToken | None:
        """A live token (its user and expiry), deleting it so it cannot be used again; None otherwise. A use
        that then fails gives it back with :meth:`put`."""


class RateLimiter(Protocol):
    def take(self, bucket: str, key: str, *, capacity: int, per_seconds: int, now: float) -> None:
        """Take one token from ``bucket``/``key`` (``capacity`` tokens refilled over ``per_seconds``).

        Raises :class:`RateLimitedError` (with the seconds until a token is back) when it is empty.
        """


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """Send one email; returns the provider's message id."""


@dataclass(frozen=True)
class StoredAnswer:
    """The answer kept for an Idempotency-Key. An answer that carried credentials is kept without its body
    or headers and with ``replayable`` False: the retry runs again instead (docs/auth.md)."""

    status: int
    body: Any
    headers: dict[str, str]
    replayable: bool = True


@dataclass(frozen=True)
class IdempotencyState:
    request_hash: str
    done: bool
    answer: StoredAnswer | None


class IdempotencyStore(Protocol):
    def begin(self, scope: str, key: str, request_hash: str, now: int) -> IdempotencyState | None:
        """Claim ``key`` for a new request: None when claimed, else the state of the earlier one."""

    def finish(self, scope: str, key: str, answer: StoredAnswer, now: int) -> None: ...

    def abandon(self, scope: str, key: str) -> None:
        """Release a claim whose request failed, so the client's retry runs again."""
