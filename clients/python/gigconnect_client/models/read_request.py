from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReadRequest")


@_attrs_define
class ReadRequest:
    """
    Attributes:
        up_to_message_id (str):
    """

    up_to_message_id: str

    def to_dict(self) -> dict[str, Any]:
        up_to_message_id = self.up_to_message_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "up_to_message_id": up_to_message_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        up_to_message_id = d.pop("up_to_message_id")

        read_request = cls(
            up_to_message_id=up_to_message_id,
        )

        return read_request
