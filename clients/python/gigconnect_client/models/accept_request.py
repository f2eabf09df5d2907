from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.milestone_body import MilestoneBody


T = TypeVar("T", bound="AcceptRequest")


@_attrs_define
class AcceptRequest:
    """Without milestones: one milestone for the application's proposed rate.

    Attributes:
        milestones (list[MilestoneBody] | None | Unset):
    """

    milestones: list[MilestoneBody] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        milestones: list[dict[str, Any]] | None | Unset
        if isinstance(self.milestones, Unset):
            milestones = UNSET
        elif isinstance(self.milestones, list):
            milestones = []
            for milestones_type_0_item_data in self.milestones:
                milestones_type_0_item = milestones_type_0_item_data.to_dict()
                milestones.append(milestones_type_0_item)

        else:
            milestones = self.milestones

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if milestones is not UNSET:
            field_dict["milestones"] = milestones

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.milestone_body import MilestoneBody

        d = dict(src_dict)

        def _parse_milestones(data: object) -> list[MilestoneBody] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                milestones_type_0 = []
                _milestones_type_0 = data
                for milestones_type_0_item_data in _milestones_type_0:
                    milestones_type_0_item = MilestoneBody.from_dict(
                        milestones_type_0_item_data
                    )

                    milestones_type_0.append(milestones_type_0_item)

                return milestones_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[MilestoneBody] | None | Unset, data)

        milestones = _parse_milestones(d.pop("milestones", UNSET))

        accept_request = cls(
            milestones=milestones,
        )

        return accept_request
