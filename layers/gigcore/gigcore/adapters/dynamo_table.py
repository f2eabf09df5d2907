"""What every low-level DynamoDB adapter of the main table shares: attribute values, reads with the table's name
and errors translated, and the answer of a cancelled ``TransactWriteItems``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error, raw_answers, unparsed_read
from gigcore.domain.clock import parse_rfc3339
from gigcore.domain.errors import RetryableError

#: DynamoDB's limit on the items of one transaction.
MAX_TRANSACTION_ITEMS = 100
#: DynamoDB's limit on the keys of one BatchGetItem call.
_BATCH_GET_LIMIT = 100
#: The reads of :meth:`DynamoTable.call` that skip botocore (client method -> operation).
_READS = {"get_item": "GetItem", "query": "Query"}
_THROTTLED_REASONS = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}


def text(value: str) -> dict[str, str]:
    """A string attribute value."""
    return {"S": value}


def number(value: float) -> dict[str, str]:
    """A number attribute value: an int, or a finite float in its shortest round-trip form, which is what
    ``json.dumps`` (and so PynamoDB's NumberAttribute) writes, so items read the same whichever wrote them."""
    return {"N": str(value)}


def optional_text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value["S"])


def optional_time(item: Mapping[str, Any], name: str) -> datetime | None:
    value = optional_text(item, name)
    return parse_rfc3339(value) if value else None


def page_after(answer: Mapping[str, Any]) -> dict[str, str] | None:
    """Where the page a Query answered continues (its string keys), None at the end.

    Where DynamoDB says it stopped, even on a short page: a Query that filters (``FilterExpression``) or
    reached 1 MB stops before its ``Limit`` with more to read."""
    last = answer.get("LastEvaluatedKey")
    return {k: str(v["S"]) for k, v in last.items()} if last else None


class TransactionRefused(Exception):
    """A ``TransactWriteItems`` cancelled by a condition or a concurrent transaction; nothing was written.
    ``reasons`` are DynamoDB's, one per item in order."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons

    def code(self, index: int) -> str:
        return str(self.reasons[index].get("Code", "")) if index < len(self.reasons) else ""

    def condition_failed(self, index: int | None = None) -> bool:
        """Whether the condition of the item at ``index`` failed (of any item when None)."""
        if index is not None:
            return self.code(index) == "ConditionalCheckFailed"
        return any(r.get("Code") == "ConditionalCheckFailed" for r in self.reasons)

    def busy(self) -> RetryableError:
        """The error of a refusal the caller has no answer of its own for (a concurrent transaction on one of
        its items): nothing was written, and trying again is safe."""
        return RetryableError("The change met a concurrent one; try again.")

    def refused_from(self, start: int) -> tuple[int, ...]:
        """The indexes (counted from ``start``) of the items whose condition failed."""
        return tuple(i - start for i, r in enumerate(self.reasons)
                     if i >= start and r.get("Code") == "ConditionalCheckFailed")


class DynamoTable:
    """The main table through the low-level client: reads with the table's name and errors translated, and one
    transaction (:meth:`transact`) whose cancellation is a :class:`TransactionRefused`."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        for operation in _READS.values():
            raw_answers(client, operation)

    @property
    def table_name(self) -> str:
        return self._table

    def call(self, operation: str, **kwargs: Any) -> Any:
        """``operation`` on the table (its name added); boto errors become domain errors. A read (``get_item``,
        ``query``) skips botocore's parser (the table's items hold no binary attribute) and is sent directly
        when the client can (``aws.unparsed_read``)."""
        try:
            read = _READS.get(operation)
            if read is not None:
                return unparsed_read(self._client, read, {"TableName": self._table, **kwargs})
            return getattr(self._client, operation)(TableName=self._table, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc

    def get_item(self, **params: Any) -> dict[str, Any] | None:
        """A ``GetItem`` of the table: the item, None when absent."""
        item: dict[str, Any] | None = self.call("get_item", **params).get("Item")
        return item

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        """The stored item of the key, strongly consistent."""
        return self.get_item(Key={"pk": text(pk), "sk": text(sk)}, ConsistentRead=True)

    def newest_first(self, limit: int, after: dict[str, str] | None,
                     **query: Any) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """One page of a Query in descending key order: its items, and where the next page starts (None at the
        end). ``after`` is the previous page's answer. With a ``FilterExpression`` a page may hold fewer than
        ``limit`` items (even none) and still be followed by another."""
        kwargs: dict[str, Any] = {**query, "ScanIndexForward": False, "Limit": limit}
        if after:
            kwargs["ExclusiveStartKey"] = {k: text(v) for k, v in after.items()}
        answer = self.call("query", **kwargs)
        items: list[dict[str, Any]] = answer.get("Items", [])
        return items, page_after(answer)

    def batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items of ``keys`` that exist, in any order: eventually consistent ``BatchGetItem`` calls of at most
        100 keys, each repeated for what DynamoDB left unprocessed. The answers skip botocore's parser, so the
        adapter must have asked for raw ``BatchGetItem`` answers (``aws.raw_answers``) and its items must hold no
        binary attribute."""
        found: list[dict[str, Any]] = []
        try:
            while keys:
                page, keys = keys[:_BATCH_GET_LIMIT], keys[_BATCH_GET_LIMIT:]
                while page:
                    answer = unparsed_read(self._client, "BatchGetItem",
                                           {"RequestItems": {self._table: {"Keys": page}}})
                    found.extend(answer["Responses"].get(self._table, ()))
                    page = list((answer.get("UnprocessedKeys") or {}).get(self._table, {}).get("Keys") or [])
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        return found

    def query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item a Query answers, page after page."""
        items: list[dict[str, Any]] = []
        while True:
            answer = self.call("query", **kwargs)
            items.extend(answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return items
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def transact(self, items: list[dict[str, Any]]) -> None:
        """One ``TransactWriteItems`` of ``items`` (each names its table). Raises :class:`TransactionRefused`
        when a condition or a concurrent transaction cancelled it, :class:`RetryableError` when throttled,
        :class:`UpstreamUnavailableError` on an outage."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons: list[dict[str, Any]] = [dict(r) for r in exc.response.get("CancellationReasons") or []]
            if not reasons:
                raise as_domain_error(exc, "DynamoDB") from exc
            if any(r.get("Code") in _THROTTLED_REASONS for r in reasons):
                raise RetryableError("DynamoDB is throttling requests; try again shortly.") from exc
            raise TransactionRefused(reasons) from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
