from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ledger_entry_out_credit import LedgerEntryOutCredit
from ..models.ledger_entry_out_debit import LedgerEntryOutDebit
from ..models.ledger_entry_out_kind import LedgerEntryOutKind

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="LedgerEntryOut")


@_attrs_define
class LedgerEntryOut:
    """
    Attributes:
        id (str):
        at (datetime.datetime):
        kind (LedgerEntryOutKind):
        amount (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        debit (LedgerEntryOutDebit):
        credit (LedgerEntryOutCredit):
        milestone_id (str):
        stripe_ref (None | str):
    """

    id: str
    at: datetime.datetime
    kind: LedgerEntryOutKind
    amount: Money
    debit: LedgerEntryOutDebit
    credit: LedgerEntryOutCredit
    milestone_id: str
    stripe_ref: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        at = self.at.isoformat()

        kind = self.kind.value

        amount = self.amount.to_dict()

        debit = self.debit.value

        credit = self.credit.value

        milestone_id = self.milestone_id

        stripe_ref: None | str
        stripe_ref = self.stripe_ref

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "at": at,
                "kind": kind,
                "amount": amount,
                "debit": debit,
                "credit": credit,
                "milestone_id": milestone_id,
                "stripe_ref": stripe_ref,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        id = d.pop("id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        kind = LedgerEntryOutKind(d.pop("kind"))

        amount = Money.from_dict(d.pop("amount"))

        debit = LedgerEntryOutDebit(d.pop("debit"))

        credit = LedgerEntryOutCredit(d.pop("credit"))

        milestone_id = d.pop("milestone_id")

        def _parse_stripe_ref(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_ref = _parse_stripe_ref(d.pop("stripe_ref"))

        ledger_entry_out = cls(
            id=id,
            at=at,
            kind=kind,
            amount=amount,
            debit=debit,
            credit=credit,
            milestone_id=milestone_id,
            stripe_ref=stripe_ref,
        )

        ledger_entry_out.additional_properties = d
        return ledger_entry_out

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
