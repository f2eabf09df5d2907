from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_out_status import ApplicationOutStatus

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="ApplicationOut")


@_attrs_define
class ApplicationOut:
    """A freelancer's application to a gig, and the contract it led to once accepted.

    Attributes:
        id (str):
        gig_id (str):
        client_id (str):
        freelancer_id (str):
        cover_letter (str):
        proposed_rate (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        estimated_days (int):
        status (ApplicationOutStatus):
        contract_id (None | str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    gig_id: str
    client_id: str
    freelancer_id: str
    cover_letter: str
    proposed_rate: Money
    estimated_days: int
    status: ApplicationOutStatus
    contract_id: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        gig_id = self.gig_id

        client_id = self.client_id

        freelancer_id = self.freelancer_id

        cover_letter = self.cover_letter

        proposed_rate = self.proposed_rate.to_dict()

        estimated_days = self.estimated_days

        status = self.status.value

        contract_id: None | str
        contract_id = self.contract_id

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "gig_id": gig_id,
                "client_id": client_id,
                "freelancer_id": freelancer_id,
                "cover_letter": cover_letter,
                "proposed_rate": proposed_rate,
                "estimated_days": estimated_days,
                "status": status,
                "contract_id": contract_id,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        gig_id = d.pop("gig_id")

        client_id = d.pop("client_id")

        freelancer_id = d.pop("freelancer_id")

        cover_letter = d.pop("cover_letter")

        proposed_rate = Money.from_dict(d.pop("proposed_rate"))

        estimated_days = d.pop("estimated_days")

        status = ApplicationOutStatus(d.pop("status"))

        def _parse_contract_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        contract_id = _parse_contract_id(d.pop("contract_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        application_out = cls(
            id=id,
            gig_id=gig_id,
            client_id=client_id,
            freelancer_id=freelancer_id,
            cover_letter=cover_letter,
            proposed_rate=proposed_rate,
            estimated_days=estimated_days,
            status=status,
            contract_id=contract_id,
            created_at=created_at,
            updated_at=updated_at,
        )

        application_out.additional_properties = d
        return application_out

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
