from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.attachment_request_content_type import AttachmentRequestContentType

T = TypeVar("T", bound="AttachmentRequest")


@_attrs_define
class AttachmentRequest:
    """
    Attributes:
        filename (str):
        content_type (AttachmentRequestContentType): One of the allowed types
        size (int): Bytes
    """

    filename: str
    content_type: AttachmentRequestContentType
    size: int

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        content_type = self.content_type.value

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "content_type": content_type,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        filename = d.pop("filename")

        content_type = AttachmentRequestContentType(d.pop("content_type"))

        size = d.pop("size")

        attachment_request = cls(
            filename=filename,
            content_type=content_type,
            size=size,
        )

        return attachment_request
