from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_out_type import NotificationOutType

if TYPE_CHECKING:
    from ..models.notification_out_data import NotificationOutData


T = TypeVar("T", bound="NotificationOut")


@_attrs_define
class NotificationOut:
    """
    Attributes:
        id (str):
        type_ (NotificationOutType):
        title (str):
        body (str):
        data (NotificationOutData):
        read (bool):
        created_at (datetime.datetime):
    """

    id: str
    type_: NotificationOutType
    title: str
    body: str
    data: NotificationOutData
    read: bool
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_.value

        title = self.title

        body = self.body

        data = self.data.to_dict()

        read = self.read

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "title": title,
                "body": body,
                "data": data,
                "read": read,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.notification_out_data import NotificationOutData

        d = dict(src_dict)
        id = d.pop("id")

        type_ = NotificationOutType(d.pop("type"))

        title = d.pop("title")

        body = d.pop("body")

        data = NotificationOutData.from_dict(d.pop("data"))

        read = d.pop("read")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        notification_out = cls(
            id=id,
            type_=type_,
            title=title,
            body=body,
            data=data,
            read=read,
            created_at=created_at,
        )

        notification_out.additional_properties = d
        return notification_out

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
