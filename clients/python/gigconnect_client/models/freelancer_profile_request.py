from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.freelancer_profile_request_availability import (
    FreelancerProfileRequestAvailability,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.location_body import LocationBody
    from ..models.money_body import MoneyBody
    from ..models.skill_body import SkillBody


T = TypeVar("T", bound="FreelancerProfileRequest")


@_attrs_define
class FreelancerProfileRequest:
    """
    Attributes:
        headline (str):
        bio (str):
        skills (list[SkillBody]):
        hourly_rate (MoneyBody): Money as a client sends it: an ISO 4217 currency and at most eight digits of minor
            units (the largest charge the payment provider takes).
        availability (FreelancerProfileRequestAvailability):
        location (LocationBody):
        service_radius_km (float):
        portfolio_urls (list[str] | Unset):
    """

    headline: str
    bio: str
    skills: list[SkillBody]
    hourly_rate: MoneyBody
    availability: FreelancerProfileRequestAvailability
    location: LocationBody
    service_radius_km: float
    portfolio_urls: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        headline = self.headline

        bio = self.bio

        skills = []
        for skills_item_data in self.skills:
            skills_item = skills_item_data.to_dict()
            skills.append(skills_item)

        hourly_rate = self.hourly_rate.to_dict()

        availability = self.availability.value

        location = self.location.to_dict()

        service_radius_km = self.service_radius_km

        portfolio_urls: list[str] | Unset = UNSET
        if not isinstance(self.portfolio_urls, Unset):
            portfolio_urls = self.portfolio_urls

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "headline": headline,
                "bio": bio,
                "skills": skills,
                "hourly_rate": hourly_rate,
                "availability": availability,
                "location": location,
                "service_radius_km": service_radius_km,
            }
        )
        if portfolio_urls is not UNSET:
            field_dict["portfolio_urls"] = portfolio_urls

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_body import LocationBody
        from ..models.money_body import MoneyBody
        from ..models.skill_body import SkillBody

        d = dict(src_dict)
        headline = d.pop("headline")

        bio = d.pop("bio")

        skills = []
        _skills = d.pop("skills")
        for skills_item_data in _skills:
            skills_item = SkillBody.from_dict(skills_item_data)

            skills.append(skills_item)

        hourly_rate = MoneyBody.from_dict(d.pop("hourly_rate"))

        availability = FreelancerProfileRequestAvailability(d.pop("availability"))

        location = LocationBody.from_dict(d.pop("location"))

        service_radius_km = d.pop("service_radius_km")

        portfolio_urls = cast(list[str], d.pop("portfolio_urls", UNSET))

        freelancer_profile_request = cls(
            headline=headline,
            bio=bio,
            skills=skills,
            hourly_rate=hourly_rate,
            availability=availability,
            location=location,
            service_radius_km=service_radius_km,
            portfolio_urls=portfolio_urls,
        )

        return freelancer_profile_request
