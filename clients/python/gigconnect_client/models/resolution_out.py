from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="ResolutionOut")


@_attrs_define
class ResolutionOut:
    """
    Attributes:
        release_amount (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        refund_amount (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        note (None | str):
        resolved_by (None | str):
        resolved_at (datetime.datetime | None):
    """

    release_amount: Money
    refund_amount: Money
    note: None | str
    resolved_by: None | str
    resolved_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        release_amount = self.release_amount.to_dict()

        refund_amount = self.refund_amount.to_dict()

        note: None | str
        note = self.note

        resolved_by: None | str
        resolved_by = self.resolved_by

        resolved_at: None | str
        if isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "release_amount": release_amount,
                "refund_amount": refund_amount,
                "note": note,
                "resolved_by": resolved_by,
                "resolved_at": resolved_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        release_amount = Money.from_dict(d.pop("release_amount"))

        refund_amount = Money.from_dict(d.pop("refund_amount"))

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        def _parse_resolved_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        resolved_by = _parse_resolved_by(d.pop("resolved_by"))

        def _parse_resolved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at"))

        resolution_out = cls(
            release_amount=release_amount,
            refund_amount=refund_amount,
            note=note,
            resolved_by=resolved_by,
            resolved_at=resolved_at,
        )

        resolution_out.additional_properties = d
        return resolution_out

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
