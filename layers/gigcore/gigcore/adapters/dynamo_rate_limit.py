"""Token buckets in DynamoDB, shared by every Lambda instance.

Item ``pk = RATE#<bucket>#<key>``: ``tokens`` left and ``at`` (when they were counted). Taking a token
reads the bucket, refills it for the time passed, and writes it back conditionally on ``at`` not having
moved (optimistic concurrency); on a lost race it reads again.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import error_code, translate
from gigcore.domain.errors import RateLimitedError

_ATTEMPTS = 5


class DynamoRateLimiter:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def take(self, bucket: str, key: str, *, capacity: int, per_seconds: int, now: float) -> None:
        # Keys (emails, IPs) are hashed: the table holds no list of who tried to log in.
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        item_key = {"pk": {"S": f"RATE#{bucket}#{digest}"}, "sk": {"S": "RATE"}}
        rate = capacity / per_seconds
        for _ in range(_ATTEMPTS):
            try:
                item = self._client.get_item(TableName=self._table, Key=item_key, ConsistentRead=True).get("Item")
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, "DynamoDB") from exc
            if item is None:
                tokens, counted_at = float(capacity), None
            else:
                counted_at = item["at"]["N"]
                elapsed = max(0.0, now - float(counted_at))
                tokens = min(float(capacity), float(item["tokens"]["N"]) + elapsed * rate)
            if tokens < 1.0:
                raise RateLimitedError("Too many requests; try again later.",
                                       retry_after_seconds=math.ceil((1.0 - tokens) / rate))
            values: dict[str, Any] = {
                ":tokens": {"N": repr(tokens - 1.0)},
                ":at": {"N": repr(now)},
                ":expires": {"N": str(int(now) + per_seconds)},
            }
            if counted_at is None:
                condition = "attribute_not_exists(pk)"
            else:
                condition = "#at = :seen"
                values[":seen"] = {"N": counted_at}
            try:
                self._client.update_item(
                    TableName=self._table, Key=item_key,
                    UpdateExpression="SET tokens = :tokens, #at = :at, expires_at = :expires",
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#at": "at"},
                    ExpressionAttributeValues=values,
                )
                return
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise translate(exc, "DynamoDB") from exc
            except BotoCoreError as exc:
                raise translate(exc, "DynamoDB") from exc
        raise RateLimitedError("Too many requests; try again later.", retry_after_seconds=1)
