from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.cancel_contract_request_gig_status import CancelContractRequestGigStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelContractRequest")


@_attrs_define
class CancelContractRequest:
    """What becomes of the gig (open again by default; cancelled is for its owner, the client, to ask) and, optionally,
    why.

        Attributes:
            gig_status (CancelContractRequestGigStatus | Unset):  Default: CancelContractRequestGigStatus.OPEN.
            reason (None | str | Unset):
    """

    gig_status: CancelContractRequestGigStatus | Unset = (
        CancelContractRequestGigStatus.OPEN
    )
    reason: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        gig_status: str | Unset = UNSET
        if not isinstance(self.gig_status, Unset):
            gig_status = self.gig_status.value

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if gig_status is not UNSET:
            field_dict["gig_status"] = gig_status
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _gig_status = d.pop("gig_status", UNSET)
        gig_status: CancelContractRequestGigStatus | Unset
        if isinstance(_gig_status, Unset):
            gig_status = UNSET
        else:
            gig_status = CancelContractRequestGigStatus(_gig_status)

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        cancel_contract_request = cls(
            gig_status=gig_status,
            reason=reason,
        )

        return cancel_contract_request
