"""Users, roles and freelancer profiles (domain entities; no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from gigcore.domain import coords

Role = Literal["client", "freelancer", "admin"]
SELF_SERVICE_ROLES: frozenset[str] = frozenset({"client", "freelancer"})
SkillLevel = Literal["beginner", "intermediate", "expert"]
Availability = Literal["available", "busy", "unavailable"]
#: The largest service radius a freelancer may give (and so how far gig matching looks).
MAX_SERVICE_RADIUS_KM = 500.0


@dataclass(frozen=True)
class Location:
    """A point in degrees, quantised on construction (see :mod:`gigcore.domain.coords`)."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat", coords.quantise(self.lat))
        object.__setattr__(self, "lng", coords.quantise(self.lng))


@dataclass(frozen=True)
class Skill:
    name: str
    level: SkillLevel


@dataclass(frozen=True)
class FreelancerProfile:
    headline: str
    bio: str
    skills: tuple[Skill, ...]
    hourly_rate_amount: int
    hourly_rate_currency: str
    availability: Availability
    location: Location
    service_radius_km: float
    portfolio_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    roles: tuple[str, ...]
    password_hash: str
    created_at: datetime
    phone: str | None = None
    location: Location | None = None
    email_verified: bool = False
    phone_verified: bool = False
    identity_verified: bool = False
    freelancer_profile: FreelancerProfile | None = None
    rating_sum: int = 0
    rating_count: int = 0
    #: Bumped by a password reset: refresh-token families of an older generation are dead.
    session_generation: int = 0
    version: int = 0

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def changed(self, **changes: object) -> User:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a verified access token."""

    user_id: str
    roles: tuple[str, ...] = field(default_factory=tuple)

    def has_role(self, role: str) -> bool:
        return role in self.roles


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively; the stored address keeps what the user typed."""
    return email.strip().lower()


@dataclass(frozen=True)
class SignUp:
    """A new account as asked for (validated by the request model): ``roles`` are self-service roles."""

    email: str
    password: str
    name: str
    roles: tuple[str, ...]
    phone: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class AccountChanges:
    """The changes a user asks of their own account. Only the fields named in ``given`` change; a given
    ``phone`` or ``location`` of None removes it (``name`` and ``roles`` cannot be removed)."""

    given: frozenset[str]
    name: str | None = None
    phone: str | None = None
    location: Location | None = None
    roles: tuple[str, ...] | None = None
