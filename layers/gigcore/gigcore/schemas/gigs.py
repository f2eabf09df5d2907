"""Request and response models of the gig routes, and of ``GET /freelancers/nearby``: what docs/openapi.json
describes, with the conventions of docs/api.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator

from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.gigs import KEEP, Budget, BudgetType, Gig, GigChanges, GigDraft, GigStatus, Urgency
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.schemas.common import (
    ChargeAmount,
    CurrencyCode,
    CursorText,
    GeoCursorText,
    Latitude,
    Limit,
    Longitude,
    MinorUnits,
    QueryModel,
    RequestModel,
    ResponseModel,
    SearchRadius,
    Timestamp,
    UtcTime,
    listed,
    text,
    without_null,
)
from gigcore.schemas.users import LocationBody, LocationOut, PublicUserOut

Title = Annotated[str, text(5, 120)]
Description = Annotated[str, text(0, 5000)]
Category = Annotated[str, text(1, 60)]
SkillName = Annotated[str, text(1, 60)]


def _distinct(skills: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for skill in skills:
        if skill.lower() not in seen:
            seen.add(skill.lower())
            kept.append(skill)
    return kept


Skills = Annotated[list[SkillName], Field(max_length=30), AfterValidator(_distinct)]


class BudgetBody(RequestModel):
    min: ChargeAmount
    max: ChargeAmount
    type: Literal["fixed", "hourly"]

    def budget(self) -> Budget:
        return Budget(min=self.min, max=self.max, type=self.type)


def _location(body: LocationBody | None) -> Location | None:
    return Location(body.lat, body.lng) if body else None


def _moment(text: str | None) -> datetime | None:
    return parse_rfc3339(text) if text else None


class CreateGigRequest(RequestModel):
    title: Title
    description: Description
    category: Category
    skills: Skills
    budget: BudgetBody
    location: LocationBody | None = None
    remote: bool
    urgency: Literal["low", "medium", "high"]
    deadline: UtcTime | None = None

    def draft(self) -> GigDraft:
        """The gig asked for, in the domain's terms (``Gig.post`` checks its rules across fields)."""
        return GigDraft(title=self.title, description=self.description, category=self.category,
                        skills=tuple(self.skills), budget=self.budget.budget(),
                        location=_location(self.location), remote=self.remote, urgency=self.urgency,
                        deadline=_moment(self.deadline))


_NOT_NULL = ("title", "description", "category", "skills", "budget", "remote", "urgency")


class PatchGigRequest(RequestModel):
    """Any of the fields of a gig; location and deadline may be set to null to remove them."""

    model_config = ConfigDict(json_schema_extra=without_null(*_NOT_NULL))

    title: Title | None = None
    description: Description | None = None
    category: Category | None = None
    skills: Skills | None = None
    budget: BudgetBody | None = None
    location: LocationBody | None = None
    remote: bool | None = None
    urgency: Literal["low", "medium", "high"] | None = None
    deadline: UtcTime | None = None

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null")
        return value

    def changes(self) -> GigChanges:
        """The fields the request names, in the domain's terms: a location or deadline given as null is removed;
        the other fields cannot be null, so None is one not named."""
        given = self.model_fields_set
        return GigChanges(
            title=KEEP if self.title is None else self.title,
            description=KEEP if self.description is None else self.description,
            category=KEEP if self.category is None else self.category,
            skills=KEEP if self.skills is None else tuple(self.skills),
            budget=KEEP if self.budget is None else self.budget.budget(),
            location=_location(self.location) if "location" in given else KEEP,
            remote=KEEP if self.remote is None else self.remote,
            urgency=KEEP if self.urgency is None else self.urgency,
            deadline=_moment(self.deadline) if "deadline" in given else KEEP)


class BudgetOut(ResponseModel):
    min: Money
    max: Money
    type: Annotated[str, listed(BudgetType)]


class GigOut(ResponseModel):
    """A gig: the work a client posted, where and for how much, and how far it has gone."""

    id: str
    owner_id: str
    title: str
    description: str
    category: str
    skills: list[str]
    budget: BudgetOut
    location: LocationOut | None
    remote: bool
    urgency: Annotated[str, listed(Urgency)]
    deadline: Timestamp | None
    status: Annotated[str, listed(GigStatus)]
    application_count: int
    created_at: Timestamp
    updated_at: Timestamp


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


class _NearbyParams(QueryModel):
    lat: Latitude = Field(description="Latitude of the point")
    lng: Longitude = Field(description="Longitude of the point")
    radius_km: SearchRadius = Field(description="Kilometres around the point")
    limit: Limit = 20
    cursor: GeoCursorText | None = Field(default=None, description="next_cursor of the previous page")
    skills: str | None = Field(default=None, max_length=2000, description="Comma-separated skill names")

    @property
    def skill_list(self) -> list[str]:
        return _csv(self.skills)


class NearbyGigsParams(_NearbyParams):
    """GET /gigs/nearby: skills keeps gigs asking for any of them; budget bounds keep overlapping budgets."""

    category: str | None = Field(default=None, max_length=60, description="A category, in any case")
    budget_min: MinorUnits | None = Field(default=None, description="Minor units; budgets reaching it")
    budget_max: MinorUnits | None = Field(default=None, description="Minor units; budgets starting below it")
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 of the budget bounds")

    @field_validator("category")
    @classmethod
    def _category_in_lower_case(cls, value: str | None) -> str | None:
        """A category matches whatever its case (the index keeps categories in lower case)."""
        return value.lower() if value is not None else None


class NearbyFreelancersParams(_NearbyParams):
    """GET /freelancers/nearby: skills keeps freelancers with all of them; max_rate in minor units."""

    max_rate: MinorUnits | None = Field(default=None, description="Highest hourly rate, minor units")
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 of max_rate")
    availability: Literal["available", "busy"] | None = None


class MyGigsParams(QueryModel):
    status: Literal["open", "in_progress", "completed", "cancelled"] | None = None
    limit: Limit = 20
    cursor: CursorText | None = Field(default=None, description="next_cursor of the previous page")


# ---- mapping from the domain to responses ------------------------------------------------------


def gig_out(gig: Gig) -> GigOut:
    return GigOut(**_gig_fields(gig))


def _gig_fields(gig: Gig) -> dict[str, Any]:
    return dict(
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
    """A gig of a nearby page, validated once (a page builds twenty)."""
    return NearbyGigOut(**_gig_fields(gig), distance_km=round(distance_km, 4))
