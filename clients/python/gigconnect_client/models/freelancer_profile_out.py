from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.freelancer_profile_out_availability import (
    FreelancerProfileOutAvailability,
)

if TYPE_CHECKING:
    from ..models.location_out import LocationOut
    from ..models.money import Money
    from ..models.skill_out import SkillOut


T = TypeVar("T", bound="FreelancerProfileOut")


@_attrs_define
class FreelancerProfileOut:
    """
    Attributes:
        headline (str):
        bio (str):
        skills (list[SkillOut]):
        hourly_rate (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        availability (FreelancerProfileOutAvailability):
        location (LocationOut):
        service_radius_km (float):
        portfolio_urls (list[str]):
    """

    headline: str
    bio: str
    skills: list[SkillOut]
    hourly_rate: Money
    availability: FreelancerProfileOutAvailability
    location: LocationOut
    service_radius_km: float
    portfolio_urls: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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

        portfolio_urls = self.portfolio_urls

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "headline": headline,
                "bio": bio,
                "skills": skills,
                "hourly_rate": hourly_rate,
                "availability": availability,
                "location": location,
                "service_radius_km": service_radius_km,
                "portfolio_urls": portfolio_urls,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_out import LocationOut
        from ..models.money import Money
        from ..models.skill_out import SkillOut

        d = dict(src_dict)
        headline = d.pop("headline")

        bio = d.pop("bio")

        skills = []
        _skills = d.pop("skills")
        for skills_item_data in _skills:
            skills_item = SkillOut.from_dict(skills_item_data)

            skills.append(skills_item)

        hourly_rate = Money.from_dict(d.pop("hourly_rate"))

        availability = FreelancerProfileOutAvailability(d.pop("availability"))

        location = LocationOut.from_dict(d.pop("location"))

        service_radius_km = d.pop("service_radius_km")

        portfolio_urls = cast(list[str], d.pop("portfolio_urls"))

        freelancer_profile_out = cls(
            headline=headline,
            bio=bio,
            skills=skills,
            hourly_rate=hourly_rate,
            availability=availability,
            location=location,
            service_radius_km=service_radius_km,
            portfolio_urls=portfolio_urls,
        )

        freelancer_profile_out.additional_properties = d
        return freelancer_profile_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
