from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.contract_out_status import ContractOutStatus

if TYPE_CHECKING:
    from ..models.milestone_out import MilestoneOut


T = TypeVar("T", bound="ContractOut")


@_attrs_define
class ContractOut:
    """The agreement between a client and the freelancer whose application was accepted, paid by milestones.

    Attributes:
        id (str):
        gig_id (str):
        client_id (str):
        freelancer_id (str):
        status (ContractOutStatus):
        milestones (list[MilestoneOut]):
        currency (str):
        created_at (datetime.datetime):
    """

    id: str
    gig_id: str
    client_id: str
    freelancer_id: str
    status: ContractOutStatus
    milestones: list[MilestoneOut]
    currency: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        gig_id = self.gig_id

        client_id = self.client_id

        freelancer_id = self.freelancer_id

        status = self.status.value

        milestones = []
        for milestones_item_data in self.milestones:
            milestones_item = milestones_item_data.to_dict()
            milestones.append(milestones_item)

        currency = self.currency

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "gig_id": gig_id,
                "client_id": client_id,
                "freelancer_id": freelancer_id,
                "status": status,
                "milestones": milestones,
                "currency": currency,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.milestone_out import MilestoneOut

        d = dict(src_dict)
        id = d.pop("id")

        gig_id = d.pop("gig_id")

        client_id = d.pop("client_id")

        freelancer_id = d.pop("freelancer_id")

        status = ContractOutStatus(d.pop("status"))

        milestones = []
        _milestones = d.pop("milestones")
        for milestones_item_data in _milestones:
            milestones_item = MilestoneOut.from_dict(milestones_item_data)

            milestones.append(milestones_item)

        currency = d.pop("currency")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        contract_out = cls(
            id=id,
            gig_id=gig_id,
            client_id=client_id,
            freelancer_id=freelancer_id,
            status=status,
            milestones=milestones,
            currency=currency,
            created_at=created_at,
        )

        contract_out.additional_properties = d
        return contract_out

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
