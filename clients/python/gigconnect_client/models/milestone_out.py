from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.milestone_out_status import MilestoneOutStatus

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="MilestoneOut")


@_attrs_define
class MilestoneOut:
    """A part of a contract paid on its own: funded into escrow by the client, released to the freelancer.

    Attributes:
        id (str):
        title (str):
        amount (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        status (MilestoneOutStatus):
        funded_at (datetime.datetime | None):
        submitted_at (datetime.datetime | None):
        auto_release_at (datetime.datetime | None):
        released_at (datetime.datetime | None):
        refunded_amount (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
    """

    id: str
    title: str
    amount: Money
    status: MilestoneOutStatus
    funded_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    auto_release_at: datetime.datetime | None
    released_at: datetime.datetime | None
    refunded_amount: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        title = self.title

        amount = self.amount.to_dict()

        status = self.status.value

        funded_at: None | str
        if isinstance(self.funded_at, datetime.datetime):
            funded_at = self.funded_at.isoformat()
        else:
            funded_at = self.funded_at

        submitted_at: None | str
        if isinstance(self.submitted_at, datetime.datetime):
            submitted_at = self.submitted_at.isoformat()
        else:
            submitted_at = self.submitted_at

        auto_release_at: None | str
        if isinstance(self.auto_release_at, datetime.datetime):
            auto_release_at = self.auto_release_at.isoformat()
        else:
            auto_release_at = self.auto_release_at

        released_at: None | str
        if isinstance(self.released_at, datetime.datetime):
            released_at = self.released_at.isoformat()
        else:
            released_at = self.released_at

        refunded_amount = self.refunded_amount.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "title": title,
                "amount": amount,
                "status": status,
                "funded_at": funded_at,
                "submitted_at": submitted_at,
                "auto_release_at": auto_release_at,
                "released_at": released_at,
                "refunded_amount": refunded_amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        title = d.pop("title")

        amount = Money.from_dict(d.pop("amount"))

        status = MilestoneOutStatus(d.pop("status"))

        def _parse_funded_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                funded_at_type_0 = datetime.datetime.fromisoformat(data)

                return funded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        funded_at = _parse_funded_at(d.pop("funded_at"))

        def _parse_submitted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                submitted_at_type_0 = datetime.datetime.fromisoformat(data)

                return submitted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        submitted_at = _parse_submitted_at(d.pop("submitted_at"))

        def _parse_auto_release_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                auto_release_at_type_0 = datetime.datetime.fromisoformat(data)

                return auto_release_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        auto_release_at = _parse_auto_release_at(d.pop("auto_release_at"))

        def _parse_released_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                released_at_type_0 = datetime.datetime.fromisoformat(data)

                return released_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        released_at = _parse_released_at(d.pop("released_at"))

        refunded_amount = Money.from_dict(d.pop("refunded_amount"))

        milestone_out = cls(
            id=id,
            title=title,
            amount=amount,
            status=status,
            funded_at=funded_at,
            submitted_at=submitted_at,
            auto_release_at=auto_release_at,
            released_at=released_at,
            refunded_amount=refunded_amount,
        )

        milestone_out.additional_properties = d
        return milestone_out

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
