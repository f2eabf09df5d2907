"""``GET /search/gigs`` and ``GET /search/freelancers``: query parameters and answers (``/work`` API "Search")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from gigcore.schemas.common import (
    CurrencyCode,
    GeoCursorText,
    Latitude,
    Limit,
    Longitude,
    MinorUnits,
    QueryModel,
    ResponseModel,
    SearchRadius,
)
from gigcore.schemas.gigs import GigOut, _csv
from gigcore.schemas.users import PublicUserOut


class _SearchParams(QueryModel):
    q: str = Field(default="", max_length=500, description="Words to look for (typos tolerated); empty: all")
    lat: Latitude | None = Field(default=None, description="Latitude of the point (with lng and radius_km)")
    lng: Longitude | None = Field(default=None, description="Longitude of the point")
    radius_km: SearchRadius | None = Field(default=None, description="Required with a point")
    skills: str | None = Field(default=None, max_length=2000, description="Comma-separated skill names")
    limit: Limit = 20
    cursor: GeoCursorText | None = Field(default=None, description="next_cursor of the previous page")
    sort: str = "relevance"

    @property
    def skill_list(self) -> list[str]:
        return _csv(self.skills)

    @model_validator(mode="after")
    def _point(self) -> _SearchParams:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng go together")
        if self.lat is not None and self.radius_km is None:
            raise ValueError("radius_km is required with a point")
        if self.sort == "distance" and self.lat is None:
            raise ValueError("sort=distance needs lat and lng")
        return self


class SearchGigsParams(_SearchParams):
    """Budget bounds keep gigs whose budget overlaps them; ``skills`` keeps gigs asking for any of them."""

    sort: Literal["relevance", "distance", "newest"] = "relevance"
    category: str | None = Field(default=None, max_length=60, description="A category, in any case")
    budget_min: MinorUnits | None = Field(default=None, description="Minor units; budgets reaching it")
    budget_max: MinorUnits | None = Field(default=None, description="Minor units; budgets starting below it")
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 of the budget bounds")


class SearchFreelancersParams(_SearchParams):
    """``skills`` keeps freelancers with all of them; ``max_rate`` in minor units."""

    sort: Literal["relevance", "distance", "rating"] = "relevance"
    max_rate: MinorUnits | None = Field(default=None, description="Highest hourly rate, minor units")
    currency: CurrencyCode | None = Field(default=None, description="ISO 4217 of max_rate")
    availability: Literal["available", "busy"] | None = None


class SearchGigOut(GigOut):
    distance_km: float | None = None
    score: float


class SearchGigPageOut(ResponseModel):
    items: list[SearchGigOut]
    next_cursor: str | None = None


class SearchFreelancerOut(PublicUserOut):
    distance_km: float | None = None
    score: float


class SearchFreelancerPageOut(ResponseModel):
    items: list[SearchFreelancerOut]
    next_cursor: str | None = None
