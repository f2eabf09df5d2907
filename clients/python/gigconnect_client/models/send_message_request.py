from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SendMessageRequest")


@_attrs_define
class SendMessageRequest:
    """
    Attributes:
        client_msg_id (str):
        body (str | Unset):  Default: ''.
        attachment_keys (list[str] | Unset):
    """

    client_msg_id: str
    body: str | Unset = ""
    attachment_keys: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_msg_id = self.client_msg_id

        body = self.body

        attachment_keys: list[str] | Unset = UNSET
        if not isinstance(self.attachment_keys, Unset):
            attachment_keys = self.attachment_keys

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_msg_id": client_msg_id,
            }
        )
        if body is not UNSET:
            field_dict["body"] = body
        if attachment_keys is not UNSET:
            field_dict["attachment_keys"] = attachment_keys

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_msg_id = d.pop("client_msg_id")

        body = d.pop("body", UNSET)

        attachment_keys = cast(list[str], d.pop("attachment_keys", UNSET))

        send_message_request = cls(
            client_msg_id=client_msg_id,
            body=body,
            attachment_keys=attachment_keys,
        )

        return send_message_request
