from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_out_status import PaymentOutStatus

T = TypeVar("T", bound="PaymentOut")


@_attrs_define
class PaymentOut:
    """
    Attributes:
        payment_intent_id (str):
        client_secret (str):
        status (PaymentOutStatus):
    """

    payment_intent_id: str
    client_secret: str
    status: PaymentOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_intent_id = self.payment_intent_id

        client_secret = self.client_secret

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payment_intent_id": payment_intent_id,
                "client_secret": client_secret,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        payment_intent_id = d.pop("payment_intent_id")

        client_secret = d.pop("client_secret")

        status = PaymentOutStatus(d.pop("status"))

        payment_out = cls(
            payment_intent_id=payment_intent_id,
            client_secret=client_secret,
            status=status,
        )

        payment_out.additional_properties = d
        return payment_out

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
