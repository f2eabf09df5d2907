from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dispute_out_status import DisputeOutStatus

if TYPE_CHECKING:
    from ..models.money import Money
    from ..models.resolution_out import ResolutionOut


T = TypeVar("T", bound="DisputeOut")


@_attrs_define
class DisputeOut:
    """
    Attributes:
        id (str):
        contract_id (str):
        milestone_id (str):
        opened_by (str):
        reason (str):
        status (DisputeOutStatus):
        held (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        created_at (datetime.datetime):
        resolution (None | ResolutionOut):
    """

    id: str
    contract_id: str
    milestone_id: str
    opened_by: str
    reason: str
    status: DisputeOutStatus
    held: Money
    created_at: datetime.datetime
    resolution: None | ResolutionOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.resolution_out import ResolutionOut

        id = self.id

        contract_id = self.contract_id

        milestone_id = self.milestone_id

        opened_by = self.opened_by

        reason = self.reason

        status = self.status.value

        held = self.held.to_dict()

        created_at = self.created_at.isoformat()

        resolution: dict[str, Any] | None
        if isinstance(self.resolution, ResolutionOut):
            resolution = self.resolution.to_dict()
        else:
            resolution = self.resolution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "contract_id": contract_id,
                "milestone_id": milestone_id,
                "opened_by": opened_by,
                "reason": reason,
                "status": status,
                "held": held,
                "created_at": created_at,
                "resolution": resolution,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money
        from ..models.resolution_out import ResolutionOut

        d = dict(src_dict)
        id = d.pop("id")

        contract_id = d.pop("contract_id")

        milestone_id = d.pop("milestone_id")

        opened_by = d.pop("opened_by")

        reason = d.pop("reason")

        status = DisputeOutStatus(d.pop("status"))

        held = Money.from_dict(d.pop("held"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_resolution(data: object) -> None | ResolutionOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resolution_type_0 = ResolutionOut.from_dict(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResolutionOut, data)

        resolution = _parse_resolution(d.pop("resolution"))

        dispute_out = cls(
            id=id,
            contract_id=contract_id,
            milestone_id=milestone_id,
            opened_by=opened_by,
            reason=reason,
            status=status,
            held=held,
            created_at=created_at,
            resolution=resolution,
        )

        dispute_out.additional_properties = d
        return dispute_out

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
