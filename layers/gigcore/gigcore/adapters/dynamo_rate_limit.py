"""Rate limits in DynamoDB, shared by every Lambda instance: the generic cell rate algorithm (GCRA).

A limit of ``capacity`` per ``per_seconds`` is a token bucket of that size refilled continuously; GCRA keeps
the same bucket as one number, the theoretical arrival time ``tat`` of the next request: each take moves it one
interval (``per_seconds / capacity``) later, starting from now when it lies in the past, and a take that would
put it more than ``per_seconds`` ahead of now is refused. Item ``pk = RATE#<bucket>#<sha256(key)>``.

A take is one conditional UpdateItem when the bucket is idle (``tat`` in the past or no item: most buckets, which
are per email or per address), two when it is in use (the idle guess fails, the second pushes ``tat`` on), and a
consistent read only to answer ``Retry-After`` when it is full. The old token bucket read the item and wrote it
back on every take. Items of the old form (``tokens``, ``at``) have no ``tat`` and count as idle.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import conditional, translate
from gigcore.domain.errors import RateLimitedError

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

_ATTEMPTS = 5


class DynamoRateLimiter:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def take(self, bucket: str, key: str, *, capacity: int, per_seconds: int, now: float) -> None:
        # Keys (emails, IPs) are hashed: the table holds no list of who tried to log in.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        item_key = {"pk": {"S": f"RATE#{bucket}#{digest}"}, "sk": {"S": "RATE"}}
        interval = per_seconds / capacity
        tolerance = per_seconds - interval  # how far ahead of now ``tat`` may be before a take: ``capacity`` at once
        expires = {"N": str(math.ceil(now + per_seconds) + 1)}  # past it, the bucket is full again
        for _ in range(_ATTEMPTS):
            if self._update(item_key, "SET tat = :next, expires_at = :expires",
                            "attribute_not_exists(tat) OR tat <= :now",
                            {":next": {"N": repr(now + interval)}, ":now": {"N": repr(now)}, ":expires": expires}):
                return
            if self._update(item_key, "SET tat = tat + :interval, expires_at = :expires",
                            "tat > :now AND tat <= :limit",
                            {":interval": {"N": repr(interval)}, ":now": {"N": repr(now)},
                             ":limit": {"N": repr(now + tolerance)}, ":expires": expires}):
                return
            tat = self._tat(item_key)
            if tat is not None and tat > now + tolerance:
                raise RateLimitedError("Too many requests; try again later.",
                                       retry_after_seconds=max(1, math.ceil(tat - tolerance - now)))
            # Another take (or the clock) moved the bucket between the two updates: try again.
        raise RateLimitedError("Too many requests; try again later.", retry_after_seconds=1)

    def _update(self, item_key: dict[str, Any], expression: str, condition: str, values: dict[str, Any]) -> bool:
        """True when the conditional update was applied, False when its condition did not hold."""
        return conditional(lambda: self._client.update_item(
            TableName=self._table, Key=item_key, UpdateExpression=expression, ConditionExpression=condition,
            ExpressionAttributeValues=values)) is not None

    def _tat(self, item_key: dict[str, Any]) -> float | None:
        try:
            item = self._client.get_item(TableName=self._table, Key=item_key, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        value = (item or {}).get("tat", {}).get("N")
        return float(value) if value is not None else None
