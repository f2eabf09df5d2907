from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.create_gig_request_urgency import CreateGigRequestUrgency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget_body import BudgetBody
    from ..models.location_body import LocationBody


T = TypeVar("T", bound="CreateGigRequest")


@_attrs_define
class CreateGigRequest:
    """
    Attributes:
        title (str):
        description (str):
        category (str):
        skills (list[str]):
        budget (BudgetBody):
        remote (bool):
        urgency (CreateGigRequestUrgency):
        location (LocationBody | None | Unset):
        deadline (None | str | Unset):
    """

    title: str
    description: str
    category: str
    skills: list[str]
    budget: BudgetBody
    remote: bool
    urgency: CreateGigRequestUrgency
    location: LocationBody | None | Unset = UNSET
    deadline: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_body import LocationBody

        title = self.title

        description = self.description

        category = self.category

        skills = self.skills

        budget = self.budget.to_dict()

        remote = self.remote

        urgency = self.urgency.value

        location: dict[str, Any] | None | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        elif isinstance(self.location, LocationBody):
            location = self.location.to_dict()
        else:
            location = self.location

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        else:
            deadline = self.deadline

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "description": description,
                "category": category,
                "skills": skills,
                "budget": budget,
                "remote": remote,
                "urgency": urgency,
            }
        )
        if location is not UNSET:
            field_dict["location"] = location
        if deadline is not UNSET:
            field_dict["deadline"] = deadline

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_body import BudgetBody
        from ..models.location_body import LocationBody

        d = dict(src_dict)
        title = d.pop("title")

        description = d.pop("description")

        category = d.pop("category")

        skills = cast(list[str], d.pop("skills"))

        budget = BudgetBody.from_dict(d.pop("budget"))

        remote = d.pop("remote")

        urgency = CreateGigRequestUrgency(d.pop("urgency"))

        def _parse_location(data: object) -> LocationBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                location_type_0 = LocationBody.from_dict(data)

                return location_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LocationBody | None | Unset, data)

        location = _parse_location(d.pop("location", UNSET))

        def _parse_deadline(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deadline = _parse_deadline(d.pop("deadline", UNSET))

        create_gig_request = cls(
            title=title,
            description=description,
            category=category,
            skills=skills,
            budget=budget,
            remote=remote,
            urgency=urgency,
            location=location,
            deadline=deadline,
        )

        return create_gig_request
