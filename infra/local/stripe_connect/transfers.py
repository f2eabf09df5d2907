"""Transfers (``source_transaction``, ``transfer_group``) and transfer reversals, capped at what is left."""

from __future__ import annotations

import secrets
from typing import Any

from localstripe.resources import Event, List, StripeObject, store
from localstripe.webhooks import schedule_webhook

from infra.local.stripe_connect.params import (
    StripeError,
    int_param,
    list_object,
    metadata_param,
    refuse_unknown,
    str_param,
)


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount: int, currency: str, destination: str, source_transaction: str | None,
                 transfer_group: str | None, description: str | None, metadata: dict[str, str]) -> None:
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.destination_payment = "py_" + secrets.token_hex(7)
        self.source_transaction = source_transaction
        self.source_type = "card"
        self.transfer_group = transfer_group
        self.description = description
        self.metadata = metadata
        self.balance_transaction = None

    def _reversals(self) -> list[TransferReversal]:
        return [v for k, v in store.items() if k.startswith("transfer_reversal:") and v.transfer == self.id]

    @property
    def amount_reversed(self) -> int:
        return sum(r.amount for r in self._reversals())

    @property
    def reversed(self) -> bool:
        return self.amount_reversed >= self.amount

    @property
    def reversals(self) -> List:
        return list_object(f"/v1/transfers/{self.id}/reversals", list(self._reversals()), {})


class TransferReversal(StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(self, transfer: Transfer, amount: int, metadata: dict[str, str]) -> None:
        super().__init__()
        self.transfer = transfer.id
        self.amount = amount
        self.currency = transfer.currency
        self.metadata = metadata
        self.destination_payment_refund = "pyr_" + secrets.token_hex(7)
        self.source_refund = None


def _transferred_from(charge_id: str) -> int:
    return sum(t.amount - t.amount_reversed for k, t in store.items()
               if k.startswith("transfer:") and t.source_transaction == charge_id)


def create_transfer(data: dict[str, Any]) -> Transfer:
    refuse_unknown(data, {"amount", "currency", "destination", "source_transaction", "transfer_group",
                        "description", "metadata", "source_type"})
    amount = int_param(data, "amount", required=True)
    currency = str_param(data, "currency", required=True)
    destination = str_param(data, "destination", required=True)
    assert amount is not None and currency is not None and destination is not None
    currency = currency.lower()
    account = store.get(f"account:{destination}")
    if account is None:
        raise StripeError(400, f"No such destination: '{destination}'", code="resource_missing",
                          param="destination")
    if account.capabilities.get("transfers") != "active":
        raise StripeError(400, "Your destination account needs to have at least one of the following "
                          "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                          code="insufficient_capabilities_for_transfer", param="destination")
    source = str_param(data, "source_transaction", required=False)
    if source is not None:
        charge = store.get(f"charge:{source}")
        if charge is None or not source.startswith("ch_"):
            raise StripeError(400, f"No such charge: '{source}'", code="resource_missing",
                              param="source_transaction")
        if charge.status != "succeeded" or not charge.captured:
            raise StripeError(400, "The source transaction has not succeeded.", param="source_transaction")
        if charge.currency.lower() != currency:
            raise StripeError(400, "The currency of the transfer must match the source transaction's currency.",
                              param="currency")
        left = charge.amount - charge.amount_refunded - _transferred_from(source)
        if amount > left:
            raise StripeError(400, f"Transfer amount {amount} exceeds what is left of the source transaction "
                              f"({left}).", code="amount_too_large", param="amount")
    group = str_param(data, "transfer_group", required=False)
    transfer = Transfer(amount, currency, destination, source, group, str_param(data, "description", required=False),
                        metadata_param(data))
    schedule_webhook(Event("transfer.created", transfer))
    return transfer


def create_reversal(transfer: Transfer, data: dict[str, Any]) -> TransferReversal:
    refuse_unknown(data, {"amount", "metadata", "description", "refund_application_fee"})
    left = transfer.amount - transfer.amount_reversed
    amount = int_param(data, "amount", required=False) or left
    if left <= 0:
        raise StripeError(400, f"Transfer {transfer.id} has already been fully reversed.",
                          code="transfer_already_reversed")
    if amount > left:
        raise StripeError(400, f"Reversal amount {amount} is greater than what is left of the transfer ({left}).",
                          code="amount_too_large", param="amount")
    reversal = TransferReversal(transfer, amount, metadata_param(data))
    schedule_webhook(Event("transfer.reversed", transfer))
    return reversal
