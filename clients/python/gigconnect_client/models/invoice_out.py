from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoice_out_kind import InvoiceOutKind

if TYPE_CHECKING:
    from ..models.invoice_line_out import InvoiceLineOut
    from ..models.money import Money


T = TypeVar("T", bound="InvoiceOut")


@_attrs_define
class InvoiceOut:
    """
    Attributes:
        id (str):
        kind (InvoiceOutKind):
        milestone_id (str):
        at (datetime.datetime):
        lines (list[InvoiceLineOut]):
        total (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        stripe_ref (None | str):
    """

    id: str
    kind: InvoiceOutKind
    milestone_id: str
    at: datetime.datetime
    lines: list[InvoiceLineOut]
    total: Money
    stripe_ref: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        milestone_id = self.milestone_id

        at = self.at.isoformat()

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        total = self.total.to_dict()

        stripe_ref: None | str
        stripe_ref = self.stripe_ref

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "milestone_id": milestone_id,
                "at": at,
                "lines": lines,
                "total": total,
                "stripe_ref": stripe_ref,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.invoice_line_out import InvoiceLineOut
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        kind = InvoiceOutKind(d.pop("kind"))

        milestone_id = d.pop("milestone_id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = InvoiceLineOut.from_dict(lines_item_data)

            lines.append(lines_item)

        total = Money.from_dict(d.pop("total"))

        def _parse_stripe_ref(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_ref = _parse_stripe_ref(d.pop("stripe_ref"))

        invoice_out = cls(
            id=id,
            kind=kind,
            milestone_id=milestone_id,
            at=at,
            lines=lines,
            total=total,
            stripe_ref=stripe_ref,
        )

        invoice_out.additional_properties = d
        return invoice_out

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
