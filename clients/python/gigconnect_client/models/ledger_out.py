from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.balances_out import BalancesOut
    from ..models.ledger_entry_out import LedgerEntryOut


T = TypeVar("T", bound="LedgerOut")


@_attrs_define
class LedgerOut:
    """
    Attributes:
        items (list[LedgerEntryOut]):
        balances (BalancesOut):
    """

    items: list[LedgerEntryOut]
    balances: BalancesOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        balances = self.balances.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "balances": balances,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.balances_out import BalancesOut
        from ..models.ledger_entry_out import LedgerEntryOut

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = LedgerEntryOut.from_dict(items_item_data)

            items.append(items_item)

        balances = BalancesOut.from_dict(d.pop("balances"))

        ledger_out = cls(
            items=items,
            balances=balances,
        )

        ledger_out.additional_properties = d
        return ledger_out

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
