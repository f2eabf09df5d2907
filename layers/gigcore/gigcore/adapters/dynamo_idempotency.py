"""Idempotency records of POST requests, on the main table.

``pk = IDEMPOTENCY#<scope>#<key>``: the request's keyed hash, ``running`` or ``done``, the stored answer
and ``expires_at``. The caller never stores an answer that carries credentials (only its status). A claim
whose request is still running after ``stale_after`` seconds (a Lambda that died) can be taken over; an
expired record counts as absent (DynamoDB Local never deletes TTL-expired items).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error, error_code
from gigcore.ports.auth import IdempotencyState, StoredAnswer

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient


class DynamoIdempotencyStore:
    def __init__(self, client: DynamoDBClient, table_name: str, ttl_seconds: int, stale_after: int = 90) -> None:
        self._client = client
        self._table = table_name
        self._ttl = ttl_seconds
        self._stale_after = stale_after

    @staticmethod
    def _key(scope: str, key: str) -> dict[str, Any]:
        return {"pk": {"S": f"IDEMPOTENCY#{scope}#{key}"}, "sk": {"S": "IDEMPOTENCY"}}

    def begin(self, scope: str, key: str, request_hash: str, now: int) -> IdempotencyState | None:
        item = self._key(scope, key) | {
            "kind": {"S": "idempotency"},
            "request_hash": {"S": request_hash},
            "state": {"S": "running"},
            "started_at": {"N": str(now)},
            "expires_at": {"N": str(now + self._ttl)},
        }
        try:
            self._client.put_item(
                TableName=self._table, Item=item,
                ConditionExpression=("attribute_not_exists(pk) OR expires_at <= :now "
                                     "OR (#state = :running AND started_at <= :stale)"),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":now": {"N": str(now)}, ":running": {"S": "running"},
                                           ":stale": {"N": str(now - self._stale_after)}},
            )
            return None
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise as_domain_error(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        try:
            found = self._client.get_item(TableName=self._table, Key=self._key(scope, key),
                                          ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
        if found is None:  # deleted between the two calls: the caller may simply try again
            return IdempotencyState(request_hash=request_hash, done=False, answer=None)
        answer = None
        if "answer" in found:
            raw = json.loads(found["answer"]["S"])
            answer = StoredAnswer(status=int(raw["status"]), body=raw["body"], headers=dict(raw["headers"]),
                                  replayable=bool(raw.get("replayable", True)))
        return IdempotencyState(request_hash=found["request_hash"]["S"], done=found["state"]["S"] == "done",
                                answer=answer)

    def finish(self, scope: str, key: str, answer: StoredAnswer, now: int) -> None:
        stored = json.dumps({"status": answer.status, "body": answer.body, "headers": answer.headers,
                             "replayable": answer.replayable}, separators=(",", ":"), default=str)
        try:
            self._client.update_item(
                TableName=self._table, Key=self._key(scope, key),
                UpdateExpression="SET #state = :done, answer = :answer, expires_at = :expires",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":done": {"S": "done"}, ":answer": {"S": stored},
                                           ":expires": {"N": str(now + self._ttl)}},
                # Only a claim still held is finished: one given back or gone meanwhile stays gone (an update
                # would otherwise create a record without its request hash).
                ConditionExpression="attribute_exists(request_hash)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise as_domain_error(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc

    def abandon(self, scope: str, key: str) -> None:
        try:
            self._client.delete_item(TableName=self._table, Key=self._key(scope, key))
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc
