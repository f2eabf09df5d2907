"""Request and response models of the sign-in and user routes (``/auth/*``, ``/me``, ``/users/{user_id}``):
what docs/openapi.json describes, with the conventions of docs/api.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.money import Money
from gigcore.domain.users import MAX_SERVICE_RADIUS_KM, Availability, FreelancerProfile, Role, SkillLevel, User
from gigcore.schemas.common import (
    Amount,
    EmailAddress,
    Latitude,
    Longitude,
    RequestModel,
    ResponseModel,
    Timestamp,
    Url,
    listed,
    text,
)

_EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
_PHONE = r"^\+[1-9][0-9]{6,14}$"

Email = Annotated[str, Field(min_length=6, max_length=254, pattern=_EMAIL, description="An email address",
                             json_schema_extra={"format": "email"})]
Phone = Annotated[str, Field(pattern=_PHONE, description="International format, e.g. +2348012345678")]
Password = Annotated[str, Field(min_length=10, max_length=256)]
Name = Annotated[str, text(1, 100)]
SelfServiceRole = Literal["client", "freelancer"]


class LocationBody(RequestModel):
    lat: Latitude
    lng: Longitude


class LocationOut(ResponseModel):
    lat: float
    lng: float


def _roles(value: list[SelfServiceRole]) -> list[SelfServiceRole]:
    return list(dict.fromkeys(value))


Roles = Annotated[list[SelfServiceRole], Field(min_length=1, max_length=2), AfterValidator(_roles)]


class SignupRequest(RequestModel):
    email: Email
    password: Password
    name: Name
    roles: Roles
    phone: Phone | None = None
    location: LocationBody | None = None


class LoginRequest(RequestModel):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class VerifyEmailRequest(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=512)]


class ResetRequestRequest(RequestModel):
    email: Annotated[str, Field(min_length=1, max_length=254)]


class ResetPasswordRequest(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=512)]
    new_password: Password


class PatchMeRequest(RequestModel):
    """Any of the fields; phone and location may be set to null to remove them. A PATCH must name at least one
    field (the route refuses an empty one)."""

    name: Name | SkipJsonSchema[None] = None
    phone: Phone | None = None
    location: LocationBody | None = None
    roles: Roles | SkipJsonSchema[None] = None

    @field_validator("name", "roles", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # a name or roles cannot be removed: null would change nothing and answer 200
            raise ValueError("cannot be null")
        return value


#: An http(s) address.
PortfolioUrl = Annotated[str, Field(min_length=8, max_length=2048, pattern=r"^https?://\S+$")]


class SkillBody(RequestModel):
    name: Annotated[str, text(1, 60)]
    level: Literal["beginner", "intermediate", "expert"]


class FreelancerProfileRequest(RequestModel):
    headline: Annotated[str, text(1, 120)]
    bio: Annotated[str, text(0, 5000)]
    skills: Annotated[list[SkillBody], Field(max_length=50)]
    hourly_rate: Amount
    availability: Literal["available", "busy", "unavailable"]
    location: LocationBody
    service_radius_km: float = Field(gt=0, le=MAX_SERVICE_RADIUS_KM, allow_inf_nan=False)
    portfolio_urls: Annotated[list[PortfolioUrl], Field(max_length=20)] = []


class SkillOut(ResponseModel):
    name: str
    level: Annotated[str, listed(SkillLevel)]


class FreelancerProfileOut(ResponseModel):
    headline: str
    bio: str
    skills: list[SkillOut]
    hourly_rate: Money
    availability: Annotated[str, listed(Availability)]
    location: LocationOut
    service_radius_km: float
    portfolio_urls: list[Url]


class UserOut(ResponseModel):
    """The signed-in user's own account, with the email and phone only its owner sees."""

    id: str
    email: EmailAddress
    name: str
    roles: list[Annotated[str, listed(Role)]]
    phone: str | None = None
    location: LocationOut | None = None
    email_verified: bool
    created_at: Timestamp


class SessionOut(ResponseModel):
    user: UserOut
    access_token: str
    refresh_token: str
    expires_in: int


class TokensOut(ResponseModel):
    access_token: str
    refresh_token: str
    expires_in: int


class VerifiedOut(ResponseModel):
    user: UserOut


class Rating(ResponseModel):
    average: float
    count: int


class Verified(ResponseModel):
    email: bool
    phone: bool
    identity: bool


class PublicUserOut(ResponseModel):
    """Another user as anyone signed in sees them: never their email or phone."""

    id: str
    name: str
    roles: list[Annotated[str, listed(SelfServiceRole)]]
    freelancer_profile: FreelancerProfileOut | None = None
    rating: Rating
    verified: Verified


# ---- mapping from the domain to responses ------------------------------------------------------

def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        roles=list(user.roles),
        phone=user.phone,
        location=LocationOut(lat=user.location.lat, lng=user.location.lng) if user.location else None,
        email_verified=user.email_verified,
        created_at=to_rfc3339(user.created_at),
    )


def profile_out(profile: FreelancerProfile) -> FreelancerProfileOut:
    return FreelancerProfileOut(
        headline=profile.headline,
        bio=profile.bio,
        skills=[SkillOut(name=s.name, level=s.level) for s in profile.skills],
        hourly_rate=Money(amount=profile.hourly_rate_amount, currency=profile.hourly_rate_currency),
        availability=profile.availability,
        location=LocationOut(lat=profile.location.lat, lng=profile.location.lng),
        service_radius_km=profile.service_radius_km,
        portfolio_urls=list(profile.portfolio_urls),
    )


def public_user_out(user: User) -> PublicUserOut:
    average = round(user.rating_sum / user.rating_count, 2) if user.rating_count else 0.0
    return PublicUserOut(
        id=user.id,
        name=user.name,
        roles=[r for r in user.roles if r != "admin"],
        freelancer_profile=profile_out(user.freelancer_profile) if user.freelancer_profile else None,
        rating=Rating(average=average, count=user.rating_count),
        verified=Verified(email=user.email_verified, phone=user.phone_verified, identity=user.identity_verified),
    )
