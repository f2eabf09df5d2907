from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateConversationRequest")


@_attrs_define
class CreateConversationRequest:
    """
    Attributes:
        participant_ids (list[str]):
        contract_id (None | str | Unset):
        gig_id (None | str | Unset):
    """

    participant_ids: list[str]
    contract_id: None | str | Unset = UNSET
    gig_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        participant_ids = self.participant_ids

        contract_id: None | str | Unset
        if isinstance(self.contract_id, Unset):
            contract_id = UNSET
        else:
            contract_id = self.contract_id

        gig_id: None | str | Unset
        if isinstance(self.gig_id, Unset):
            gig_id = UNSET
        else:
            gig_id = self.gig_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "participant_ids": participant_ids,
            }
        )
        if contract_id is not UNSET:
            field_dict["contract_id"] = contract_id
        if gig_id is not UNSET:
            field_dict["gig_id"] = gig_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        participant_ids = cast(list[str], d.pop("participant_ids"))

        def _parse_contract_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contract_id = _parse_contract_id(d.pop("contract_id", UNSET))

        def _parse_gig_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gig_id = _parse_gig_id(d.pop("gig_id", UNSET))

        create_conversation_request = cls(
            participant_ids=participant_ids,
            contract_id=contract_id,
            gig_id=gig_id,
        )

        return create_conversation_request
