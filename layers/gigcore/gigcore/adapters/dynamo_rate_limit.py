"""Rate limits in DynamoDB, shared by every Lambda instance: the generic cell rate algorithm (GCRA).

A limit of ``capacity`` per ``per_seconds`` is a token bucket of that size refilled continuously; GCRA keeps
the same bucket as one number, the theoretical arrival time ``tat`` of the next request: each take moves it one
interval (``per_seconds / capacity``) later, starting from now when it lies in the past, and a take that would
put it more than ``per_seconds`` ahead of now is refused. Item ``pk = RATE#<bucket>#<sha256(key)>``.

A take is one conditional UpdateItem when the guess of the bucket's state holds: idle (``tat`` in the past or no
item: most buckets, which are per email or per address) or in use (``tat`` ahead of now: a user sending chat
messages faster than the interval). The guess is what this process last saw of the bucket's ``tat`` (each update
returns it): in use when that lies ahead of now, else idle. A wrong guess costs a second update (a refused
conditional write is billed one unit), and a consistent read answers ``Retry-After`` when the bucket is full. The
old token bucket read the item and wrote it back on every take. Items of the old form (``tokens``, ``at``) have no
``tat`` and count as idle.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error, conditional
from gigcore.cache import TtlLruCache
from gigcore.domain.errors import RateLimitedError

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient

_ATTEMPTS = 5


class DynamoRateLimiter:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        #: The ``tat`` this process last saw of each bucket (the least recently used forgotten; none is older
        #: than the longest window, an hour, and an older one would guess idle anyway).
        self._seen: TtlLruCache[str, float] = TtlLruCache("rate-limit buckets", max_entries=4096, ttl_seconds=3600)

    def take(self, bucket: str, key: str, *, capacity: int, per_seconds: int, now: float) -> None:
        # Keys (emails, IPs) are hashed: the table holds no list of who tried to log in.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        item_key = {"pk": {"S": f"RATE#{bucket}#{digest}"}, "sk": {"S": "RATE"}}
        interval = per_seconds / capacity
        tolerance = per_seconds - interval  # how far ahead of now ``tat`` may be before a take: ``capacity`` at once
        expires = {"N": str(math.ceil(now + per_seconds) + 1)}  # past it, the bucket is full again
        idle = ("SET tat = :next, expires_at = :expires", "attribute_not_exists(tat) OR tat <= :now",
                {":next": {"N": repr(now + interval)}, ":now": {"N": repr(now)}, ":expires": expires})
        in_use = ("SET tat = tat + :interval, expires_at = :expires", "tat > :now AND tat <= :limit",
                  {":interval": {"N": repr(interval)}, ":now": {"N": repr(now)},
                   ":limit": {"N": repr(now + tolerance)}, ":expires": expires})
        pk = item_key["pk"]["S"]
        last = self._seen.get(pk)
        guesses = (in_use, idle) if last is not None and last > now else (idle, in_use)
        for _ in range(_ATTEMPTS):
            for expression, condition, values in guesses:
                moved = self._update(item_key, expression, condition, values)
                if moved is not None:
                    self._seen.put(pk, moved)
                    return
            tat = self._tat(item_key)
            if tat is not None and tat > now + tolerance:
                raise RateLimitedError("Too many requests; try again later.",
                                       retry_after_seconds=max(1, math.ceil(tat - tolerance - now)))
            # Another take (or the clock) moved the bucket between the two updates: try again.
        raise RateLimitedError("Too many requests; try again later.", retry_after_seconds=1)

    def _update(self, item_key: dict[str, Any], expression: str, condition: str,
                values: dict[str, Any]) -> float | None:
        """The bucket's new ``tat`` when the conditional update was applied, None when its condition did not
        hold."""
        answer = conditional(lambda: self._client.update_item(
            TableName=self._table, Key=item_key, UpdateExpression=expression, ConditionExpression=condition,
            ExpressionAttributeValues=values, ReturnValues="UPDATED_NEW"))
        return None if answer is None else float(answer["Attributes"]["tat"]["N"])

    def _tat(self, item_key: dict[str, Any]) -> float | None:
        try:
            item = self._client.get_item(TableName=self._table, Key=item_key, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        value = (item or {}).get("tat", {}).get("N")
        return float(value) if value is not None else None
