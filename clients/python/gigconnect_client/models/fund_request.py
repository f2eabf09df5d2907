from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FundRequest")


@_attrs_define
class FundRequest:
    """
    Attributes:
        payment_method_id (None | str | Unset):
    """

    payment_method_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        payment_method_id: None | str | Unset
        if isinstance(self.payment_method_id, Unset):
            payment_method_id = UNSET
        else:
            payment_method_id = self.payment_method_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if payment_method_id is not UNSET:
            field_dict["payment_method_id"] = payment_method_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_payment_method_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_method_id = _parse_payment_method_id(d.pop("payment_method_id", UNSET))

        fund_request = cls(
            payment_method_id=payment_method_id,
        )

        return fund_request
