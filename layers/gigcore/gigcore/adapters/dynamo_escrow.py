"""DynamoDB adapter of :class:`gigcore.ports.escrow.EscrowStore` (docs/data-model.md, P10-P12).

- payout account: ``pk = USER#<user_id>``, ``sk = PAYOUT_ACCOUNT`` (``account_id``, ``payouts_enabled``), and the
  reverse link ``pk = STRIPE_ACCOUNT#<account_id>``, ``sk = STRIPE_ACCOUNT`` (``user_id``), written together;
- ledger entry: ``pk = CONTRACT#<contract_id>``, ``sk = LEDGER#<entry_id>`` (ULIDs, so a Query is oldest first);
- dispute: ``pk = DISPUTE#<id>``, ``sk = DISPUTE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error
from gigcore.adapters.dynamo_contracts import DynamoTable
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.money import Money
from gigcore.ports import TransactItem
from gigcore.ports.escrow import Dispute, DisputeStatus, PayoutAccount


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _money(item: Mapping[str, Any], name: str, currency: str) -> Money | None:
    value = item.get(name)
    return None if value is None else Money(amount=int(value["N"]), currency=currency)


def ledger_item(e: LedgerEntry) -> dict[str, Any]:
    item = {"pk": _s(f"CONTRACT#{e.contract_id}"), "sk": _s(f"LEDGER#{e.id}"), "kind": _s("ledger_entry"),
            "id": _s(e.id), "contract_id": _s(e.contract_id), "milestone_id": _s(e.milestone_id),
            "at": _s(to_rfc3339(e.at)), "entry_kind": _s(e.kind), "amount": _n(e.amount.amount),
            "currency": _s(e.amount.currency), "debit": _s(e.debit), "credit": _s(e.credit)}
    if e.stripe_ref:
        item["stripe_ref"] = _s(e.stripe_ref)
    return item


def ledger_from(item: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(id=item["id"]["S"], contract_id=item["contract_id"]["S"],
                       milestone_id=item["milestone_id"]["S"], at=parse_rfc3339(item["at"]["S"]),
                       kind=item["entry_kind"]["S"],
                       amount=Money(amount=int(item["amount"]["N"]), currency=item["currency"]["S"]),
                       debit=item["debit"]["S"], credit=item["credit"]["S"],
                       stripe_ref=item["stripe_ref"]["S"] if "stripe_ref" in item else None)


def dispute_item(d: Dispute) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _s(f"DISPUTE#{d.id}"), "sk": _s("DISPUTE"), "kind": _s("dispute"), "id": _s(d.id),
        "contract_id": _s(d.contract_id), "milestone_id": _s(d.milestone_id), "opened_by": _s(d.opened_by),
        "reason": _s(d.reason), "status": _s(d.status), "held": _n(d.held.amount), "currency": _s(d.held.currency),
        "created_at": _s(to_rfc3339(d.created_at)), "version": _n(d.version + 1),
    }
    if d.release_amount is not None:
        item["release_amount"] = _n(d.release_amount.amount)
    if d.refund_amount is not None:
        item["refund_amount"] = _n(d.refund_amount.amount)
    for name in ("note", "resolved_by"):
        if getattr(d, name) is not None:
            item[name] = _s(getattr(d, name))
    if d.resolved_at is not None:
        item["resolved_at"] = _s(to_rfc3339(d.resolved_at))
    return item


def dispute_from(item: Mapping[str, Any]) -> Dispute:
    currency = item["currency"]["S"]
    return Dispute(id=item["id"]["S"], contract_id=item["contract_id"]["S"], milestone_id=item["milestone_id"]["S"],
                   opened_by=item["opened_by"]["S"], reason=item["reason"]["S"], status=item["status"]["S"],
                   held=Money(amount=int(item["held"]["N"]), currency=currency),
                   created_at=parse_rfc3339(item["created_at"]["S"]),
                   release_amount=_money(item, "release_amount", currency),
                   refund_amount=_money(item, "refund_amount", currency),
                   note=item["note"]["S"] if "note" in item else None,
                   resolved_by=item["resolved_by"]["S"] if "resolved_by" in item else None,
                   resolved_at=parse_rfc3339(item["resolved_at"]["S"]) if "resolved_at" in item else None,
                   version=int(item["version"]["N"]))


class DynamoEscrowStore(DynamoTable):
    """Reads and single writes through :class:`DynamoTable` (the table's name added, errors translated)."""

    # ---- payout accounts ----

    def payout_account(self, user_id: str) -> PayoutAccount | None:
        item = self._get(f"USER#{user_id}", "PAYOUT_ACCOUNT")
        if item is None:
            return None
        return PayoutAccount(user_id=user_id, account_id=item["account_id"]["S"],
                             payouts_enabled=bool(item["payouts_enabled"]["BOOL"]),
                             created_at=parse_rfc3339(item["created_at"]["S"]))

    def add_payout_account(self, account: PayoutAccount) -> PayoutAccount:
        absent = "attribute_not_exists(pk)"
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "ConditionExpression": absent, "Item": {
                    "pk": _s(f"USER#{account.user_id}"), "sk": _s("PAYOUT_ACCOUNT"), "kind": _s("payout_account"),
                    "account_id": _s(account.account_id), "payouts_enabled": {"BOOL": account.payouts_enabled},
                    "created_at": _s(to_rfc3339(account.created_at))}}},
                {"Put": {"TableName": self._table, "Item": {
                    "pk": _s(f"STRIPE_ACCOUNT#{account.account_id}"), "sk": _s("STRIPE_ACCOUNT"),
                    "kind": _s("stripe_account"), "user_id": _s(account.user_id)}}},
            ])
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise as_domain_error(exc, "DynamoDB") from exc
            stored = self.payout_account(account.user_id)
            if stored is None:  # pragma: no cover - the condition failed because it exists
                raise as_domain_error(exc, "DynamoDB") from exc
            return stored
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return account

    def user_of_account(self, account_id: str) -> str | None:
        item = self._get(f"STRIPE_ACCOUNT#{account_id}", "STRIPE_ACCOUNT")
        return None if item is None else str(item["user_id"]["S"])

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        try:
            self._client.update_item(TableName=self._table, Key={"pk": _s(f"USER#{user_id}"),
                                                                 "sk": _s("PAYOUT_ACCOUNT")},
                                     UpdateExpression="SET payouts_enabled = :on",
                                     ConditionExpression="attribute_exists(pk)",
                                     ExpressionAttributeValues={":on": {"BOOL": enabled}})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return
            raise as_domain_error(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc

    # ---- the ledger ----

    def ledger_writes(self, entries: Sequence[LedgerEntry]) -> list[TransactItem]:
        return [{"Put": {"Item": ledger_item(e), "ConditionExpression": "attribute_not_exists(pk)"}} for e in entries]

    def ledger(self, contract_id: str) -> list[LedgerEntry]:
        kwargs: dict[str, Any] = {"ConsistentRead": True,
                                  "KeyConditionExpression": "pk = :pk AND begins_with(sk, :ledger)",
                                  "ExpressionAttributeValues": {":pk": _s(f"CONTRACT#{contract_id}"),
                                                                ":ledger": _s("LEDGER#")}}
        entries: list[LedgerEntry] = []
        while True:
            answer = self._call("query", **kwargs)
            entries.extend(ledger_from(i) for i in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return entries
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # ---- disputes ----

    def dispute_write(self, dispute: Dispute, *, expected: DisputeStatus | None) -> TransactItem:
        if expected is None:
            return {"Put": {"Item": dispute_item(dispute), "ConditionExpression": "attribute_not_exists(pk)"}}
        return {"Put": {"Item": dispute_item(dispute),
                        "ConditionExpression": "#status = :expected AND #version = :version",
                        "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                        "ExpressionAttributeValues": {":expected": _s(expected), ":version": _n(dispute.version)}}}

    def get_dispute(self, dispute_id: str) -> Dispute | None:
        item = self._get(f"DISPUTE#{dispute_id}", "DISPUTE")
        return dispute_from(item) if item else None
