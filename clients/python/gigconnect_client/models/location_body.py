from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LocationBody")


@_attrs_define
class LocationBody:
    """
    Attributes:
        lat (float):
        lng (float):
    """

    lat: float
    lng: float

    def to_dict(self) -> dict[str, Any]:
        lat = self.lat

        lng = self.lng

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "lat": lat,
                "lng": lng,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        lat = d.pop("lat")

        lng = d.pop("lng")

        location_body = cls(
            lat=lat,
            lng=lng,
        )

        return location_body
