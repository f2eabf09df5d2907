from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.nearby_gig_out_status import NearbyGigOutStatus
from ..models.nearby_gig_out_urgency import NearbyGigOutUrgency

if TYPE_CHECKING:
    from ..models.budget_out import BudgetOut
    from ..models.location_out import LocationOut


T = TypeVar("T", bound="NearbyGigOut")


@_attrs_define
class NearbyGigOut:
    """
    Attributes:
        id (str):
        owner_id (str):
        title (str):
        description (str):
        category (str):
        skills (list[str]):
        budget (BudgetOut):
        location (LocationOut | None):
        remote (bool):
        urgency (NearbyGigOutUrgency):
        deadline (datetime.datetime | None):
        status (NearbyGigOutStatus):
        application_count (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        distance_km (float):
    """

    id: str
    owner_id: str
    title: str
    description: str
    category: str
    skills: list[str]
    budget: BudgetOut
    location: LocationOut | None
    remote: bool
    urgency: NearbyGigOutUrgency
    deadline: datetime.datetime | None
    status: NearbyGigOutStatus
    application_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    distance_km: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_out import LocationOut

        id = self.id

        owner_id = self.owner_id

        title = self.title

        description = self.description

        category = self.category

        skills = self.skills

        budget = self.budget.to_dict()

        location: dict[str, Any] | None
        if isinstance(self.location, LocationOut):
            location = self.location.to_dict()
        else:
            location = self.location

        remote = self.remote

        urgency = self.urgency.value

        deadline: None | str
        if isinstance(self.deadline, datetime.datetime):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        status = self.status.value

        application_count = self.application_count

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        distance_km = self.distance_km

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "owner_id": owner_id,
                "title": title,
                "description": description,
                "category": category,
                "skills": skills,
                "budget": budget,
                "location": location,
                "remote": remote,
                "urgency": urgency,
                "deadline": deadline,
                "status": status,
                "application_count": application_count,
                "created_at": created_at,
                "updated_at": updated_at,
                "distance_km": distance_km,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_out import BudgetOut
        from ..models.location_out import LocationOut

        d = dict(src_dict)
        id = d.pop("id")

        owner_id = d.pop("owner_id")

        title = d.pop("title")

        description = d.pop("description")

        category = d.pop("category")

        skills = cast(list[str], d.pop("skills"))

        budget = BudgetOut.from_dict(d.pop("budget"))

        def _parse_location(data: object) -> LocationOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                location_type_0 = LocationOut.from_dict(data)

                return location_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LocationOut | None, data)

        location = _parse_location(d.pop("location"))

        remote = d.pop("remote")

        urgency = NearbyGigOutUrgency(d.pop("urgency"))

        def _parse_deadline(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.datetime.fromisoformat(data)

                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deadline = _parse_deadline(d.pop("deadline"))

        status = NearbyGigOutStatus(d.pop("status"))

        application_count = d.pop("application_count")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        distance_km = d.pop("distance_km")

        nearby_gig_out = cls(
            id=id,
            owner_id=owner_id,
            title=title,
            description=description,
            category=category,
            skills=skills,
            budget=budget,
            location=location,
            remote=remote,
            urgency=urgency,
            deadline=deadline,
            status=status,
            application_count=application_count,
            created_at=created_at,
            updated_at=updated_at,
            distance_km=distance_km,
        )

        nearby_gig_out.additional_properties = d
        return nearby_gig_out

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
