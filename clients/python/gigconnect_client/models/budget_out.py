from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.budget_out_type import BudgetOutType

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="BudgetOut")


@_attrs_define
class BudgetOut:
    """
    Attributes:
        min_ (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        max_ (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        type_ (BudgetOutType):
    """

    min_: Money
    max_: Money
    type_: BudgetOutType
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_ = self.min_.to_dict()

        max_ = self.max_.to_dict()

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "min": min_,
                "max": max_,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        min_ = Money.from_dict(d.pop("min"))

        max_ = Money.from_dict(d.pop("max"))

        type_ = BudgetOutType(d.pop("type"))

        budget_out = cls(
            min_=min_,
            max_=max_,
            type_=type_,
        )

        budget_out.additional_properties = d
        return budget_out

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
