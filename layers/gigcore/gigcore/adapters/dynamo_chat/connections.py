"""WebSocket connections on the main table (:class:`gigcore.ports.chat.ConnectionStore`; docs/data-model.md).

- connection: ``pk = CONN#<connection_id>``, ``sk = CONN``: its owner, lifetime, access token's expiry and session;
  in gsi2 under ``CONNEXP#<hour bucket>`` by when the sweep must close it;
- a user's connections: ``pk = USER#<user_id>``, ``sk = CONN#<connection_id>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gigcore.adapters.dynamo_chat.pool import CACHE_SIZE, POOL
from gigcore.adapters.dynamo_table import DynamoTable, TransactionRefused, number, text
from gigcore.domain.chat import Connection

CONNECTION_BUCKET_SECONDS = 3600


def _connection_item(connection: Connection) -> dict[str, Any]:
    item = {"user_id": text(connection.user_id), "connected_at": number(connection.connected_at),
            "expires_at": number(connection.expires_at), "generation": number(connection.generation)}
    if connection.token_expires_at is not None:
        item["token_expires_at"] = number(connection.token_expires_at)
    if connection.session_id is not None:
        item["session_id"] = text(connection.session_id)
    return item


def _connection_from(connection_id: str, item: dict[str, Any]) -> Connection:
    token_expires_at = item.get("token_expires_at", {}).get("N")
    return Connection(connection_id, item["user_id"]["S"], int(item["connected_at"]["N"]), int(item["expires_at"]["N"]),
                      token_expires_at=int(token_expires_at) if token_expires_at is not None else None,
                      session_id=item.get("session_id", {}).get("S"),
                      generation=int(item.get("generation", {}).get("N", "0")))


class DynamoConnectionRepository(DynamoTable):
    def __init__(self, client: Any, table_name: str) -> None:
        super().__init__(client, table_name)
        self._owners: dict[str, Connection] = {}

    def add(self, connection: Connection) -> int:
        # The sweep closes a connection at the end of its lifetime or of its access token, whichever is first.
        closes_at = min(connection.expires_at, connection.token_expires_at or connection.expires_at)
        bucket = closes_at // CONNECTION_BUCKET_SECONDS
        try:
            self.transact([
                {"Put": {"TableName": self._table, "Item": _connection_item(connection) | {
                    "pk": text(f"CONN#{connection.id}"), "sk": text("CONN"), "kind": text("connection"),
                    "gsi2pk": text(f"CONNEXP#{bucket}"), "gsi2sk": text(f"{closes_at:012d}#{connection.id}")}}},
                {"Put": {"TableName": self._table, "Item": {
                    "pk": text(f"USER#{connection.user_id}"), "sk": text(f"CONN#{connection.id}"),
                    "expires_at": number(connection.expires_at)}}},
            ])
        except TransactionRefused as refused:  # no condition: only a concurrent transaction refuses it
            raise refused.busy() from refused
        return self.count(connection.user_id)

    def remove(self, connection_id: str) -> Connection | None:
        self._owners.pop(connection_id, None)
        old = self.call("delete_item", Key={"pk": text(f"CONN#{connection_id}"), "sk": text("CONN")},
                        ReturnValues="ALL_OLD").get("Attributes")
        if not old:
            return None
        self.call("delete_item", Key={"pk": text(f"USER#{old['user_id']['S']}"), "sk": text(f"CONN#{connection_id}")})
        return _connection_from(connection_id, old)

    def get(self, connection_id: str) -> Connection | None:
        # A connection id is never reused and its owner never changes: remember it.
        known = self._owners.get(connection_id)
        if known is not None:
            return known
        item = self.call("get_item", Key={"pk": text(f"CONN#{connection_id}"), "sk": text("CONN")}).get("Item")
        if not item:
            return None
        found = _connection_from(connection_id, item)
        if len(self._owners) >= CACHE_SIZE:
            self._owners.pop(next(iter(self._owners)))
        self._owners[connection_id] = found
        return found

    def _ids(self, user_id: str) -> list[str]:
        answer = self.call("query", ConsistentRead=True, KeyConditionExpression="pk = :pk AND begins_with(sk, :conn)",
                           ExpressionAttributeValues={":pk": text(f"USER#{user_id}"), ":conn": text("CONN#")})
        return [i["sk"]["S"][len("CONN#"):] for i in answer.get("Items", [])]

    def of_users(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        unique = list(dict.fromkeys(user_ids))
        if len(unique) <= 1:
            return {u: self._ids(u) for u in unique}
        return dict(zip(unique, POOL.map(self._ids, unique), strict=True))

    def count(self, user_id: str) -> int:
        return len(self._ids(user_id))

    def expired(self, now: int, limit: int) -> list[Connection]:
        found: list[Connection] = []
        # Buckets of the last day up to now: API Gateway closes a connection after 2 hours at most.
        for bucket in range((now - 86400) // CONNECTION_BUCKET_SECONDS, now // CONNECTION_BUCKET_SECONDS + 1):
            answer = self.call("query", IndexName="gsi2", KeyConditionExpression="gsi2pk = :b AND gsi2sk < :now",
                               ExpressionAttributeValues={":b": text(f"CONNEXP#{bucket}"),
                                                          ":now": text(f"{now:012d}#")},
                               Limit=limit)
            for item in answer.get("Items", []):
                found.append(_connection_from(item["pk"]["S"][len("CONN#"):], item))
            if len(found) >= limit:
                break
        return found[:limit]
