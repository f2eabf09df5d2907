from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.device_request_platform import DeviceRequestPlatform

T = TypeVar("T", bound="DeviceRequest")


@_attrs_define
class DeviceRequest:
    """
    Attributes:
        platform (DeviceRequestPlatform):
        token (str):
    """

    platform: DeviceRequestPlatform
    token: str

    def to_dict(self) -> dict[str, Any]:
        platform = self.platform.value

        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "platform": platform,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        platform = DeviceRequestPlatform(d.pop("platform"))

        token = d.pop("token")

        device_request = cls(
            platform=platform,
            token=token,
        )

        return device_request
