from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.patch_gig_request_urgency import PatchGigRequestUrgency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.budget_body import BudgetBody
    from ..models.location_body import LocationBody


T = TypeVar("T", bound="PatchGigRequest")


@_attrs_define
class PatchGigRequest:
    """Any of the fields of a gig; location and deadline may be set to null to remove them.

    Attributes:
        title (str | Unset):
        description (str | Unset):
        category (str | Unset):
        skills (list[str] | Unset):
        budget (BudgetBody | Unset):
        location (LocationBody | None | Unset):
        remote (bool | Unset):
        urgency (PatchGigRequestUrgency | Unset):
        deadline (None | str | Unset):
    """

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    category: str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    budget: BudgetBody | Unset = UNSET
    location: LocationBody | None | Unset = UNSET
    remote: bool | Unset = UNSET
    urgency: PatchGigRequestUrgency | Unset = UNSET
    deadline: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_body import LocationBody

        title = self.title

        description = self.description

        category = self.category

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        budget: dict[str, Any] | Unset = UNSET
        if not isinstance(self.budget, Unset):
            budget = self.budget.to_dict()

        location: dict[str, Any] | None | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        elif isinstance(self.location, LocationBody):
            location = self.location.to_dict()
        else:
            location = self.location

        remote = self.remote

        urgency: str | Unset = UNSET
        if not isinstance(self.urgency, Unset):
            urgency = self.urgency.value

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        else:
            deadline = self.deadline

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if category is not UNSET:
            field_dict["category"] = category
        if skills is not UNSET:
            field_dict["skills"] = skills
        if budget is not UNSET:
            field_dict["budget"] = budget
        if location is not UNSET:
            field_dict["location"] = location
        if remote is not UNSET:
            field_dict["remote"] = remote
        if urgency is not UNSET:
            field_dict["urgency"] = urgency
        if deadline is not UNSET:
            field_dict["deadline"] = deadline

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.budget_body import BudgetBody
        from ..models.location_body import LocationBody

        d = dict(src_dict)
        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        category = d.pop("category", UNSET)

        skills = cast(list[str], d.pop("skills", UNSET))

        _budget = d.pop("budget", UNSET)
        budget: BudgetBody | Unset
        if isinstance(_budget, Unset):
            budget = UNSET
        else:
            budget = BudgetBody.from_dict(_budget)

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

        remote = d.pop("remote", UNSET)

        _urgency = d.pop("urgency", UNSET)
        urgency: PatchGigRequestUrgency | Unset
        if isinstance(_urgency, Unset):
            urgency = UNSET
        else:
            urgency = PatchGigRequestUrgency(_urgency)

        def _parse_deadline(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deadline = _parse_deadline(d.pop("deadline", UNSET))

        patch_gig_request = cls(
            title=title,
            description=description,
            category=category,
            skills=skills,
            budget=budget,
            location=location,
            remote=remote,
            urgency=urgency,
            deadline=deadline,
        )

        return patch_gig_request
