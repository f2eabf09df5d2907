from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PayoutAccountOut")


@_attrs_define
class PayoutAccountOut:
    """
    Attributes:
        account_id (str):
        onboarding_url (str):
        payouts_enabled (bool):
    """

    account_id: str
    onboarding_url: str
    payouts_enabled: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        onboarding_url = self.onboarding_url

        payouts_enabled = self.payouts_enabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "onboarding_url": onboarding_url,
                "payouts_enabled": payouts_enabled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        onboarding_url = d.pop("onboarding_url")

        payouts_enabled = d.pop("payouts_enabled")

        payout_account_out = cls(
            account_id=account_id,
            onboarding_url=onboarding_url,
            payouts_enabled=payouts_enabled,
        )

        payout_account_out.additional_properties = d
        return payout_account_out

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
