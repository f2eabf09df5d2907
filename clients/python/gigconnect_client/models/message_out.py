from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attachment_out import AttachmentOut


T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """
    Attributes:
        id (str):
        conversation_id (str):
        sender_id (str):
        body (str):
        attachments (list[AttachmentOut]):
        client_msg_id (str):
        created_at (datetime.datetime):
    """

    id: str
    conversation_id: str
    sender_id: str
    body: str
    attachments: list[AttachmentOut]
    client_msg_id: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        conversation_id = self.conversation_id

        sender_id = self.sender_id

        body = self.body

        attachments = []
        for attachments_item_data in self.attachments:
            attachments_item = attachments_item_data.to_dict()
            attachments.append(attachments_item)

        client_msg_id = self.client_msg_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "conversation_id": conversation_id,
                "sender_id": sender_id,
                "body": body,
                "attachments": attachments,
                "client_msg_id": client_msg_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attachment_out import AttachmentOut

        d = dict(src_dict)
        id = d.pop("id")

        conversation_id = d.pop("conversation_id")

        sender_id = d.pop("sender_id")

        body = d.pop("body")

        attachments = []
        _attachments = d.pop("attachments")
        for attachments_item_data in _attachments:
            attachments_item = AttachmentOut.from_dict(attachments_item_data)

            attachments.append(attachments_item)

        client_msg_id = d.pop("client_msg_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        message_out = cls(
            id=id,
            conversation_id=conversation_id,
            sender_id=sender_id,
            body=body,
            attachments=attachments,
            client_msg_id=client_msg_id,
            created_at=created_at,
        )

        message_out.additional_properties = d
        return message_out

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
