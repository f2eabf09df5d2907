from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.message_out import MessageOut


T = TypeVar("T", bound="ConversationOut")


@_attrs_define
class ConversationOut:
    """
    Attributes:
        id (str):
        participant_ids (list[str]):
        gig_id (None | str):
        contract_id (None | str):
        created_at (datetime.datetime):
        last_activity_at (datetime.datetime):
        unread_count (int):  Default: 0.
        last_message (MessageOut | None):
    """

    id: str
    participant_ids: list[str]
    gig_id: None | str
    contract_id: None | str
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    last_message: MessageOut | None
    unread_count: int = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.message_out import MessageOut

        id = self.id

        participant_ids = self.participant_ids

        gig_id: None | str
        gig_id = self.gig_id

        contract_id: None | str
        contract_id = self.contract_id

        created_at = self.created_at.isoformat()

        last_activity_at = self.last_activity_at.isoformat()

        unread_count = self.unread_count

        last_message: dict[str, Any] | None
        if isinstance(self.last_message, MessageOut):
            last_message = self.last_message.to_dict()
        else:
            last_message = self.last_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "participant_ids": participant_ids,
                "gig_id": gig_id,
                "contract_id": contract_id,
                "created_at": created_at,
                "last_activity_at": last_activity_at,
                "unread_count": unread_count,
                "last_message": last_message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message_out import MessageOut

        d = dict(src_dict)
        id = d.pop("id")

        participant_ids = cast(list[str], d.pop("participant_ids"))

        def _parse_gig_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        gig_id = _parse_gig_id(d.pop("gig_id"))

        def _parse_contract_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        contract_id = _parse_contract_id(d.pop("contract_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        last_activity_at = datetime.datetime.fromisoformat(d.pop("last_activity_at"))

        unread_count = d.pop("unread_count")

        def _parse_last_message(data: object) -> MessageOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_message_type_0 = MessageOut.from_dict(data)

                return last_message_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MessageOut | None, data)

        last_message = _parse_last_message(d.pop("last_message"))

        conversation_out = cls(
            id=id,
            participant_ids=participant_ids,
            gig_id=gig_id,
            contract_id=contract_id,
            created_at=created_at,
            last_activity_at=last_activity_at,
            unread_count=unread_count,
            last_message=last_message,
        )

        conversation_out.additional_properties = d
        return conversation_out

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
