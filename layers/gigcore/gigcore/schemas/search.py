"""``GET /search/gigs`` and ``GET /search/freelancers``: query parameters and answers (``/work`` API "Search")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gigcore.schemas.common import ResponseModel
from gigcore.schemas.gigs import GigOut, _csv
from gigcore.schemas.users import PublicUserOut


class _SearchParams(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field(default="", max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, ge=0.1, le=100)
    skills: str | None = Field(default=None, max_length=2000)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=8192)
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
    category: str | None = Field(default=None, max_length=60)
    budget_min: int | None = Field(default=None, ge=0)
    budget_max: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class SearchFreelancersParams(_SearchParams):
    """``skills`` keeps freelancers with all of them; ``max_rate`` in minor units."""

    sort: Literal["relevance", "distance", "rating"] = "relevance"
    max_rate: int | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
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
