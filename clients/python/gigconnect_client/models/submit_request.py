from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubmitRequest")


@_attrs_define
class SubmitRequest:
    """
    Attributes:
        note (str):
        attachment_keys (list[str] | Unset):
    """

    note: str
    attachment_keys: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        note = self.note

        attachment_keys: list[str] | Unset = UNSET
        if not isinstance(self.attachment_keys, Unset):
            attachment_keys = self.attachment_keys

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "note": note,
            }
        )
        if attachment_keys is not UNSET:
            field_dict["attachment_keys"] = attachment_keys

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        note = d.pop("note")

        attachment_keys = cast(list[str], d.pop("attachment_keys", UNSET))

        submit_request = cls(
            note=note,
            attachment_keys=attachment_keys,
        )

        return submit_request
