"""Refresh tokens (rotating, in families) and single-use tokens, stored by their hash.

Items: ``pk = REFRESH#<sha256>`` (one token), ``pk = RFAMILY#<family_id>`` (a session: revoked or not),
``pk = OTT#<purpose>#<sha256>`` (email verification, password reset). ``expires_at`` is checked on read;
TTL only tidies up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import conditional, error_code, translate
from gigcore.domain.errors import RetryableError
from gigcore.ports.auth import OneTimeToken, RefreshRecord

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient


def _refresh_key(token_hash: str) -> dict[str, Any]:
    return {"pk": {"S": f"REFRESH#{token_hash}"}, "sk": {"S": "REFRESH"}}


def _family_key(family_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"RFAMILY#{family_id}"}, "sk": {"S": "RFAMILY"}}


def _refresh_item(record: RefreshRecord) -> dict[str, Any]:
    return _refresh_key(record.token_hash) | {
        "kind": {"S": "refresh_token"},
        "user_id": {"S": record.user_id},
        "family_id": {"S": record.family_id},
        "generation": {"N": str(record.generation)},
        "spent": {"BOOL": record.spent},
        "expires_at": {"N": str(record.expires_at)},
    }


class DynamoRefreshTokenStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put(self, record: RefreshRecord) -> None:
        try:
            self._client.put_item(TableName=self._table, Item=_refresh_item(record),
                                  ConditionExpression="attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc

    def get(self, token_hash: str) -> RefreshRecord | None:
        try:
            item = self._client.get_item(TableName=self._table, Key=_refresh_key(token_hash),
                                         ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        if item is None:
            return None
        return RefreshRecord(
            token_hash=token_hash,
            user_id=item["user_id"]["S"],
            family_id=item["family_id"]["S"],
            generation=int(item["generation"]["N"]),
            spent=bool(item["spent"]["BOOL"]),
            expires_at=int(item["expires_at"]["N"]),
        )

    def rotate(self, spent_hash: str, new: RefreshRecord) -> bool:
        try:
            self._client.transact_write_items(TransactItems=[
                {"Update": {
                    "TableName": self._table,
                    "Key": _refresh_key(spent_hash),
                    "UpdateExpression": "SET spent = :yes",
                    "ConditionExpression": "attribute_exists(pk) AND spent = :no",
                    "ExpressionAttributeValues": {":yes": {"BOOL": True}, ":no": {"BOOL": False}},
                }},
                {"Put": {"TableName": self._table, "Item": _refresh_item(new),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons", [])
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                    return False
            raise translate(exc, "DynamoDB") from exc
        except BotoCoreError as exc:
            raise translate(exc, "DynamoDB") from exc
        return True

    def revoke_family(self, family_id: str) -> None:
        try:
            self._client.put_item(TableName=self._table, Item=_family_key(family_id) | {
                "kind": {"S": "refresh_family"}, "revoked": {"BOOL": True}})
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc

    def family_revoked(self, family_id: str) -> bool:
        try:
            item = self._client.get_item(TableName=self._table, Key=_family_key(family_id),
                                         ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        return bool(item and item.get("revoked", {}).get("BOOL"))


    def session_open(self, user_id: str, family_id: str | None, generation: int) -> bool:
        # One BatchGetItem of the family item and the user item (U1, only its session_generation): the check a
        # WebSocket makes on its frames (docs/chat.md). Eventually consistent: a logout is seen within a second.
        keys = [{"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "PROFILE"}}]
        if family_id is not None:
            keys.append(_family_key(family_id))
        request: dict[str, Any] = {self._table: {"Keys": keys, "ProjectionExpression": "pk, revoked, #gen",
                                                 "ExpressionAttributeNames": {"#gen": "session_generation"}}}
        items: list[dict[str, Any]] = []
        try:
            for _ in range(5):  # unprocessed keys (throttling) are asked again
                answer = self._client.batch_get_item(RequestItems=request)
                items += answer.get("Responses", {}).get(self._table, [])
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc
        if request:
            raise RetryableError("DynamoDB is throttling requests; try again shortly.")
        by_pk = {item["pk"]["S"]: item for item in items}
        user = by_pk.get(f"USER#{user_id}")
        if user is None or int(user.get("session_generation", {}).get("N", "0")) != generation:
            return False
        family = by_pk.get(f"RFAMILY#{family_id}")
        return not (family and family.get("revoked", {}).get("BOOL"))


class DynamoOneTimeTokenStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @staticmethod
    def _key(purpose: str, token_hash: str) -> dict[str, Any]:
        return {"pk": {"S": f"OTT#{purpose}#{token_hash}"}, "sk": {"S": "OTT"}}

    def put(self, purpose: str, token_hash: str, user_id: str, expires_at: int) -> None:
        try:
            self._client.put_item(TableName=self._table, Item=self._key(purpose, token_hash) | {
                "kind": {"S": "one_time_token"}, "user_id": {"S": user_id}, "expires_at": {"N": str(expires_at)}})
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "DynamoDB") from exc

    def consume(self, purpose: str, token_hash: str, now: int) -> OneTimeToken | None:
        # A conditional delete is the single use: of two concurrent uses, one deletes, one fails.
        answer = conditional(lambda: self._client.delete_item(
            TableName=self._table, Key=self._key(purpose, token_hash),
            ConditionExpression="attribute_exists(pk) AND expires_at > :now",
            ExpressionAttributeValues={":now": {"N": str(now)}},
            ReturnValues="ALL_OLD",
        ))
        if answer is None:
            return None
        return OneTimeToken(user_id=str(answer["Attributes"]["user_id"]["S"]),
                            expires_at=int(answer["Attributes"]["expires_at"]["N"]))
