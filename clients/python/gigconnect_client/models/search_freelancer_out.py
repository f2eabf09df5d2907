from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.search_freelancer_out_roles_item import SearchFreelancerOutRolesItem

if TYPE_CHECKING:
    from ..models.freelancer_profile_out import FreelancerProfileOut
    from ..models.rating import Rating
    from ..models.verified import Verified


T = TypeVar("T", bound="SearchFreelancerOut")


@_attrs_define
class SearchFreelancerOut:
    """
    Attributes:
        id (str):
        name (str):
        roles (list[SearchFreelancerOutRolesItem]):
        freelancer_profile (FreelancerProfileOut | None):
        rating (Rating):
        verified (Verified):
        distance_km (float | None):
        score (float):
    """

    id: str
    name: str
    roles: list[SearchFreelancerOutRolesItem]
    freelancer_profile: FreelancerProfileOut | None
    rating: Rating
    verified: Verified
    distance_km: float | None
    score: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.freelancer_profile_out import FreelancerProfileOut

        id = self.id

        name = self.name

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.value
            roles.append(roles_item)

        freelancer_profile: dict[str, Any] | None
        if isinstance(self.freelancer_profile, FreelancerProfileOut):
            freelancer_profile = self.freelancer_profile.to_dict()
        else:
            freelancer_profile = self.freelancer_profile

        rating = self.rating.to_dict()

        verified = self.verified.to_dict()

        distance_km: float | None
        distance_km = self.distance_km

        score = self.score

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "roles": roles,
                "freelancer_profile": freelancer_profile,
                "rating": rating,
                "verified": verified,
                "distance_km": distance_km,
                "score": score,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.freelancer_profile_out import FreelancerProfileOut
        from ..models.rating import Rating
        from ..models.verified import Verified

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = SearchFreelancerOutRolesItem(roles_item_data)

            roles.append(roles_item)

        def _parse_freelancer_profile(data: object) -> FreelancerProfileOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                freelancer_profile_type_0 = FreelancerProfileOut.from_dict(data)

                return freelancer_profile_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FreelancerProfileOut | None, data)

        freelancer_profile = _parse_freelancer_profile(d.pop("freelancer_profile"))

        rating = Rating.from_dict(d.pop("rating"))

        verified = Verified.from_dict(d.pop("verified"))

        def _parse_distance_km(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        distance_km = _parse_distance_km(d.pop("distance_km"))

        score = d.pop("score")

        search_freelancer_out = cls(
            id=id,
            name=name,
            roles=roles,
            freelancer_profile=freelancer_profile,
            rating=rating,
            verified=verified,
            distance_km=distance_km,
            score=score,
        )

        search_freelancer_out.additional_properties = d
        return search_freelancer_out

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
