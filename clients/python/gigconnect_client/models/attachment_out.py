from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AttachmentOut")


@_attrs_define
class AttachmentOut:
    """
    Attributes:
        key (str):
        filename (str):
        content_type (str):
        size (int):
        download_url (str):
    """

    key: str
    filename: str
    content_type: str
    size: int
    download_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        filename = self.filename

        content_type = self.content_type

        size = self.size

        download_url = self.download_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
                "filename": filename,
                "content_type": content_type,
                "size": size,
                "download_url": download_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        filename = d.pop("filename")

        content_type = d.pop("content_type")

        size = d.pop("size")

        download_url = d.pop("download_url")

        attachment_out = cls(
            key=key,
            filename=filename,
            content_type=content_type,
            size=size,
            download_url=download_url,
        )

        attachment_out.additional_properties = d
        return attachment_out

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
