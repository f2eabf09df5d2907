"""Request and response models of "Gigs" (../shared/API.md), and of ``GET /freelancers/nearby``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.gigs import Gig
from gigcore.domain.money import Money
from gigcore.schemas.common import RequestModel, ResponseModel
from gigcore.schemas.users import LocationBody, LocationOut, PublicUserOut

Title = Annotated[str, Field(min_length=5, max_length=120)]
Description = Annotated[str, Field(max_length=5000)]
Category = Annotated[str, Field(min_length=1, max_length=60)]
SkillName = Annotated[str, Field(min_length=1, max_length=60)]


def _distinct(skills: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for skill in skills:
        if skill.lower() not in seen:
            seen.add(skill.lower())
            kept.append(skill)
    return kept


Skills = Annotated[list[SkillName], Field(max_length=30), AfterValidator(_distinct)]


def _rfc3339(value: str) -> str:
    try:
        parse_rfc3339(value)
    except ValueError as exc:
        raise ValueError("must be an RFC 3339 time with an offset, e.g. 2026-11-22T10:00:00Z") from exc
    return value


Rfc3339 = Annotated[str, Field(max_length=40), AfterValidator(_rfc3339)]


class BudgetBody(RequestModel):
    min: Money
    max: Money
    type: Literal["fixed", "hourly"]


class CreateGigRequest(RequestModel):
    title: Title
    description: Description
    category: Category
    skills: Skills
    budget: BudgetBody
    location: LocationBody | None = None
    remote: bool
    urgency: Literal["low", "medium", "high"]
    deadline: Rfc3339 | None = None


class PatchGigRequest(RequestModel):
    """Any of the fields of a gig; ``location`` and ``deadline`` may be set to null to remove them."""

    title: Title | None = None
    description: Description | None = None
    category: Category | None = None
    skills: Skills | None = None
    budget: BudgetBody | None = None
    location: LocationBody | None = None
    remote: bool | None = None
    urgency: Literal["low", "medium", "high"] | None = None
    deadline: Rfc3339 | None = None

    @field_validator("title", "description", "category", "skills", "budget", "remote", "urgency", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return value


class BudgetOut(ResponseModel):
    min: Money
    max: Money
    type: str


class GigOut(ResponseModel):
    """``gig`` of the contract."""

    id: str
    owner_id: str
    title: str
    description: str
    category: str
    skills: list[str]
    budget: BudgetOut
    location: LocationOut | None
    remote: bool
    urgency: str
    deadline: str | None
    status: str
    application_count: int
    created_at: str
    updated_at: str


class NearbyGigOut(GigOut):
    distance_km: float


class GigPageOut(ResponseModel):
    items: list[GigOut]
    next_cursor: str | None = None


class NearbyGigPageOut(ResponseModel):
    items: list[NearbyGigOut]
    next_cursor: str | None = None


class NearbyFreelancerOut(PublicUserOut):
    distance_km: float


class NearbyFreelancerPageOut(ResponseModel):
    items: list[NearbyFreelancerOut]
    next_cursor: str | None = None


def _csv(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip().lower() for part in value.split(",") if part.strip()]


class _NearbyParams(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    radius_km: float = Field(ge=0.1, le=100)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=8192)
    skills: str | None = Field(default=None, max_length=2000)

    @property
    def skill_list(self) -> list[str]:
        return _csv(self.skills)


class NearbyGigsParams(_NearbyParams):
    """``GET /gigs/nearby``: ``skills`` keeps gigs asking for any of them; budget bounds keep overlapping budgets."""

    category: str | None = Field(default=None, max_length=60)
    budget_min: int | None = Field(default=None, ge=0)
    budget_max: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class NearbyFreelancersParams(_NearbyParams):
    """``GET /freelancers/nearby``: ``skills`` keeps freelancers with all of them; ``max_rate`` in minor units."""

    max_rate: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    availability: Literal["available", "busy"] | None = None


class MyGigsParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Literal["open", "in_progress", "completed", "cancelled"] | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


# ---- mapping from the domain to responses ------------------------------------------------------


def gig_out(gig: Gig) -> GigOut:
    return GigOut(
        id=gig.id,
        owner_id=gig.owner_id,
        title=gig.title,
        description=gig.description,
        category=gig.category,
        skills=list(gig.skills),
        budget=BudgetOut(min=gig.budget.min, max=gig.budget.max, type=gig.budget.type),
        location=LocationOut(lat=gig.location.lat, lng=gig.location.lng) if gig.location else None,
        remote=gig.remote,
        urgency=gig.urgency,
        deadline=to_rfc3339(gig.deadline) if gig.deadline else None,
        status=gig.status,
        application_count=gig.application_count,
        created_at=to_rfc3339(gig.created_at),
        updated_at=to_rfc3339(gig.updated_at),
    )


def nearby_gig_out(gig: Gig, distance_km: float) -> NearbyGigOut:
    return NearbyGigOut(**dict(gig_out(gig)), distance_km=round(distance_km, 4))
