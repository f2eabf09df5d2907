from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stripe_event_data_body import StripeEventDataBody


T = TypeVar("T", bound="StripeEventBody")


@_attrs_define
class StripeEventBody:
    """What POST /webhooks/stripe reads of a Stripe event (the rest is Stripe's and passed over). The body is read as sent,
    after its Stripe-Signature verifies; anything else is refused with 400.

        Attributes:
            id (str):
            type_ (str):
            created (int):
            data (StripeEventDataBody):
    """

    id: str
    type_: str
    created: int
    data: StripeEventDataBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        created = self.created

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "created": created,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stripe_event_data_body import StripeEventDataBody

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        created = d.pop("created")

        data = StripeEventDataBody.from_dict(d.pop("data"))

        stripe_event_body = cls(
            id=id,
            type_=type_,
            created=created,
            data=data,
        )

        stripe_event_body.additional_properties = d
        return stripe_event_body

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
