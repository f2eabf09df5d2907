from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MarkReadAll")


@_attrs_define
class MarkReadAll:
    """
    Attributes:
        all_ (bool):
    """

    all_: bool

    def to_dict(self) -> dict[str, Any]:
        all_ = self.all_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "all": all_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        all_ = d.pop("all")

        mark_read_all = cls(
            all_=all_,
        )

        return mark_read_all
