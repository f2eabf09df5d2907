from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="DisputeRequest")


@_attrs_define
class DisputeRequest:
    """
    Attributes:
        milestone_id (str):
        reason (str):
    """

    milestone_id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        milestone_id = self.milestone_id

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "milestone_id": milestone_id,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        milestone_id = d.pop("milestone_id")

        reason = d.pop("reason")

        dispute_request = cls(
            milestone_id=milestone_id,
            reason=reason,
        )

        return dispute_request
