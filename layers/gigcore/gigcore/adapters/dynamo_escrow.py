"""DynamoDB adapters of escrow's records (docs/data-model.md, P10-P12): payout accounts (written on their own), and
the readers and transaction entries of the ledger and disputes (written by the unit of work).

- payout account: ``pk = USER#<user_id>``, ``sk = PAYOUT_ACCOUNT`` (``account_id``, ``payouts_enabled``), and the
  reverse link ``pk = STRIPE_ACCOUNT#<account_id>``, ``sk = STRIPE_ACCOUNT`` (``user_id``), written together;
- ledger entry: ``pk = CONTRACT#<contract_id>``, ``sk = LEDGER#<entry_id>`` (ULIDs, so a Query is oldest first);
- dispute: ``pk = DISPUTE#<id>``, ``sk = DISPUTE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error
from gigcore.adapters.dynamo_table import DynamoTable, number, text
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.money import Money
from gigcore.ports.escrow import Dispute, DisputeStatus, PayoutAccount


def _money(item: Mapping[str, Any], name: str, currency: str) -> Money | None:
    value = item.get(name)
    return None if value is None else Money(amount=int(value["N"]), currency=currency)


def ledger_item(e: LedgerEntry) -> dict[str, Any]:
    item = {"pk": text(f"CONTRACT#{e.contract_id}"), "sk": text(f"LEDGER#{e.id}"), "kind": text("ledger_entry"),
            "id": text(e.id), "contract_id": text(e.contract_id), "milestone_id": text(e.milestone_id),
            "at": text(to_rfc3339(e.at)), "entry_kind": text(e.kind), "amount": number(e.amount.amount),
            "currency": text(e.amount.currency), "debit": text(e.debit), "credit": text(e.credit)}
    if e.stripe_ref:
        item["stripe_ref"] = text(e.stripe_ref)
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
        "pk": text(f"DISPUTE#{d.id}"), "sk": text("DISPUTE"), "kind": text("dispute"), "id": text(d.id),
        "contract_id": text(d.contract_id), "milestone_id": text(d.milestone_id), "opened_by": text(d.opened_by),
        "reason": text(d.reason), "status": text(d.status), "held": number(d.held.amount),
        "currency": text(d.held.currency),
        "created_at": text(to_rfc3339(d.created_at)), "version": number(d.version + 1),
    }
    if d.release_amount is not None:
        item["release_amount"] = number(d.release_amount.amount)
    if d.refund_amount is not None:
        item["refund_amount"] = number(d.refund_amount.amount)
    for name in ("note", "resolved_by"):
        if getattr(d, name) is not None:
            item[name] = text(getattr(d, name))
    if d.resolved_at is not None:
        item["resolved_at"] = text(to_rfc3339(d.resolved_at))
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


def ledger_add(e: LedgerEntry, table: str) -> dict[str, Any]:
    """Append ``e``, only once: the write is conditioned on its id."""
    return {"Put": {"TableName": table, "Item": ledger_item(e), "ConditionExpression": "attribute_not_exists(pk)"}}


def dispute_add(dispute: Dispute, table: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": dispute_item(dispute),
                    "ConditionExpression": "attribute_not_exists(pk)"}}


def dispute_save(dispute: Dispute, expected: DisputeStatus, table: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": dispute_item(dispute),
                    "ConditionExpression": "#status = :expected AND #version = :version",
                    "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                    "ExpressionAttributeValues": {":expected": text(expected), ":version": number(dispute.version)}}}


class DynamoPayoutAccountStore(DynamoTable):
    """:class:`gigcore.ports.escrow.PayoutAccountStore`: the account and its reverse link, written together."""

    def get(self, user_id: str) -> PayoutAccount | None:
        item = self.item(f"USER#{user_id}", "PAYOUT_ACCOUNT")
        if item is None:
            return None
        return PayoutAccount(user_id=user_id, account_id=item["account_id"]["S"],
                             payouts_enabled=bool(item["payouts_enabled"]["BOOL"]),
                             created_at=parse_rfc3339(item["created_at"]["S"]))

    def add(self, account: PayoutAccount) -> PayoutAccount:
        absent = "attribute_not_exists(pk)"
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "ConditionExpression": absent, "Item": {
                    "pk": text(f"USER#{account.user_id}"), "sk": text("PAYOUT_ACCOUNT"),
                    "kind": text("payout_account"), "account_id": text(account.account_id),
                    "payouts_enabled": {"BOOL": account.payouts_enabled},
                    "created_at": text(to_rfc3339(account.created_at))}}},
                {"Put": {"TableName": self._table, "Item": {
                    "pk": text(f"STRIPE_ACCOUNT#{account.account_id}"), "sk": text("STRIPE_ACCOUNT"),
                    "kind": text("stripe_account"), "user_id": text(account.user_id)}}},
            ])
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if not reasons or reasons[0].get("Code") != "ConditionalCheckFailed":
                raise as_domain_error(exc, "DynamoDB") from exc
            stored = self.get(account.user_id)
            if stored is None:  # pragma: no cover - the condition failed because it exists
                raise as_domain_error(exc, "DynamoDB") from exc
            return stored
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return account

    def user_of_account(self, account_id: str) -> str | None:
        item = self.item(f"STRIPE_ACCOUNT#{account_id}", "STRIPE_ACCOUNT")
        return None if item is None else str(item["user_id"]["S"])

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        try:
            self._client.update_item(TableName=self._table, Key={"pk": text(f"USER#{user_id}"),
                                                                 "sk": text("PAYOUT_ACCOUNT")},
                                     UpdateExpression="SET payouts_enabled = :on",
                                     ConditionExpression="attribute_exists(pk)",
                                     ExpressionAttributeValues={":on": {"BOOL": enabled}})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return
            raise as_domain_error(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc


class DynamoLedgerReader(DynamoTable):
    def entries(self, contract_id: str) -> list[LedgerEntry]:
        """Every entry of the contract, oldest first (strongly consistent)."""
        items = self.query_all(ConsistentRead=True, KeyConditionExpression="pk = :pk AND begins_with(sk, :ledger)",
                               ExpressionAttributeValues={":pk": text(f"CONTRACT#{contract_id}"),
                                                          ":ledger": text("LEDGER#")})
        return [ledger_from(i) for i in items]


class DynamoDisputeReader(DynamoTable):
    def get(self, dispute_id: str) -> Dispute | None:
        item = self.item(f"DISPUTE#{dispute_id}", "DISPUTE")
        return dispute_from(item) if item else None
