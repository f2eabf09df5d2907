from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChannelsBody")


@_attrs_define
class ChannelsBody:
    """
    Attributes:
        push (bool):
        email (bool):
        sms (bool):
    """

    push: bool
    email: bool
    sms: bool

    def to_dict(self) -> dict[str, Any]:
        push = self.push

        email = self.email

        sms = self.sms

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "push": push,
                "email": email,
                "sms": sms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        push = d.pop("push")

        email = d.pop("email")

        sms = d.pop("sms")

        channels_body = cls(
            push=push,
            email=email,
            sms=sms,
        )

        return channels_body
