"""DynamoDB adapter of :class:`gigcore.ports.notifications.NotificationStore` (patterns N1-N5)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from gigcore.adapters.aws import conditional
from gigcore.adapters.dynamo_table import DynamoTable, TransactionRefused, number, text
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.notifications import Device, Notification, Preferences, QuietHours

if TYPE_CHECKING:
    from types_boto3_dynamodb import DynamoDBClient


def _device_sk(device: Device) -> str:
    return f"DEVICE#{device.platform}#{hashlib.sha256(device.token.encode()).hexdigest()[:32]}"


class DynamoNotificationStore(DynamoTable):
    def add(self, notification: Notification, *, dedup_key: str) -> bool:
        user = f"USER#{notification.user_id}"
        try:
            self.transact([
                {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                         "Item": {"pk": text(user), "sk": text(f"NOTIFKEY#{dedup_key}"),
                                  "notification_id": text(notification.id)}}},
                {"Put": {"TableName": self._table, "Item": {
                    "pk": text(user), "sk": text(f"NOTIF#{notification.id}"), "kind": text("notification"),
                    "id": text(notification.id), "type": text(notification.type), "title": text(notification.title),
                    "body": text(notification.body), "data": text(json.dumps(notification.data)),
                    "read": {"BOOL": notification.read}, "created_at": text(to_rfc3339(notification.created_at))}}},
                {"Update": {"TableName": self._table, "Key": {"pk": text(user), "sk": text("NOTIFUNREAD")},
                            "UpdateExpression": "ADD unread :one", "ExpressionAttributeValues": {":one": number(1)}}},
            ])
        except TransactionRefused as refused:
            if refused.condition_failed(0):  # this event was told to this user already
                return False
            raise refused.busy() from refused
        return True

    def page(self, user_id: str, *, limit: int, after: str | None) -> tuple[list[Notification], str | None]:
        start = {"pk": f"USER#{user_id}", "sk": f"NOTIF#{after}"} if after else None
        found, following = self.newest_first(limit, start, KeyConditionExpression="pk = :pk AND begins_with(sk, :n)",
                                             ExpressionAttributeValues={":pk": text(f"USER#{user_id}"),
                                                                        ":n": text("NOTIF#")})
        items = [Notification(id=i["id"]["S"], user_id=user_id, type=i["type"]["S"], title=i["title"]["S"],
                              body=i["body"]["S"], data=json.loads(i["data"]["S"]), read=bool(i["read"]["BOOL"]),
                              created_at=parse_rfc3339(i["created_at"]["S"])) for i in found]
        return items, (following["sk"][len("NOTIF#"):] if following else None)

    def unread_count(self, user_id: str) -> int:
        item = self.call("get_item", ConsistentRead=True,
                         Key={"pk": text(f"USER#{user_id}"), "sk": text("NOTIFUNREAD")}).get("Item")
        return max(0, int(item["unread"]["N"])) if item and "unread" in item else 0

    def mark_read(self, user_id: str, ids: list[str] | None) -> None:
        if ids is None:
            ids, after = [], None
            while True:
                page, after = self.page(user_id, limit=100, after=after)
                ids += [n.id for n in page if not n.read]
                if after is None or len(ids) >= 2000:
                    break
        for notification_id in dict.fromkeys(ids):
            try:
                self.transact([
                    {"Update": {"TableName": self._table,
                                "Key": {"pk": text(f"USER#{user_id}"), "sk": text(f"NOTIF#{notification_id}")},
                                "UpdateExpression": "SET #read = :yes",
                                "ConditionExpression": "attribute_exists(pk) AND #read = :no",
                                "ExpressionAttributeNames": {"#read": "read"},
                                "ExpressionAttributeValues": {":yes": {"BOOL": True}, ":no": {"BOOL": False}}}},
                    {"Update": {"TableName": self._table,
                                "Key": {"pk": text(f"USER#{user_id}"), "sk": text("NOTIFUNREAD")},
                                "UpdateExpression": "ADD unread :minus",
                                "ExpressionAttributeValues": {":minus": number(-1)}}},
                ])
            except TransactionRefused as refused:
                if not refused.condition_failed(0):  # failed: already read, or not the user's
                    raise refused.busy() from refused

    def preferences(self, user_id: str) -> Preferences:
        item = self.call("get_item", ConsistentRead=True,
                         Key={"pk": text(f"USER#{user_id}"), "sk": text("NOTIFPREFS")}).get("Item")
        if not item:
            return Preferences()
        quiet = json.loads(item["quiet_hours"]["S"]) if "quiet_hours" in item else None
        return Preferences(channels=json.loads(item["channels"]["S"]), per_type=json.loads(item["per_type"]["S"]),
                           quiet_hours=QuietHours(**quiet) if quiet else None)

    def save_preferences(self, user_id: str, preferences: Preferences) -> None:
        item: dict[str, Any] = {"pk": text(f"USER#{user_id}"), "sk": text("NOTIFPREFS"),
                                "channels": text(json.dumps(preferences.channels)),
                                "per_type": text(json.dumps(preferences.per_type))}
        if preferences.quiet_hours:
            q = preferences.quiet_hours
            item["quiet_hours"] = text(json.dumps({"start": q.start, "end": q.end, "tz": q.tz}))
        self.call("put_item", Item=item)

    def devices(self, user_id: str) -> list[Device]:
        answer = self.call("query", ConsistentRead=True,
                           KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
                           ExpressionAttributeValues={":pk": text(f"USER#{user_id}"), ":d": text("DEVICE#")})
        return [Device(user_id=user_id, platform=i["platform"]["S"], token=i["token"]["S"],
                       endpoint_arn=i.get("endpoint_arn", {}).get("S")) for i in answer.get("Items", [])]

    def add_device(self, device: Device) -> None:
        self.call("put_item", Item={
            "pk": text(f"USER#{device.user_id}"), "sk": text(_device_sk(device)), "kind": text("device"),
            "platform": text(device.platform), "token": text(device.token)})

    def set_endpoint(self, device: Device, endpoint_arn: str) -> None:
        # Conditioned on the device: an update of one removed meanwhile would write an item without platform
        # or token, which every later read of the user's devices would fail on.
        conditional(lambda: self._client.update_item(
            TableName=self._table, Key={"pk": text(f"USER#{device.user_id}"), "sk": text(_device_sk(device))},
            UpdateExpression="SET endpoint_arn = :arn", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":arn": text(endpoint_arn)}))

    def remove_device(self, device: Device) -> None:
        self.call("delete_item",
                   Key={"pk": text(f"USER#{device.user_id}"), "sk": text(_device_sk(device))})


class DynamoMatchQuota:
    """Gig-match counters (pattern N6): ``pk = USER#<id>``, ``sk = MATCHES#<day>``, a string set ``gigs`` of the
    gigs matched that day, gone by TTL two days later. One conditional ``ADD`` per user, run in parallel."""

    def __init__(self, client: DynamoDBClient, table_name: str, *, workers: int = 16) -> None:
        self._client = client
        self._table = table_name
        self._workers = workers

    def _claim_one(self, user_id: str, day: str, gig_id: str, limit: int, ttl_epoch: int) -> bool:
        return conditional(lambda: self._client.update_item(
            TableName=self._table,
            Key={"pk": text(f"USER#{user_id}"), "sk": text(f"MATCHES#{day}")},
            UpdateExpression="ADD gigs :gig SET expires_at = :ttl",
            ConditionExpression="attribute_not_exists(gigs) OR size(gigs) < :limit OR contains(gigs, :id)",
            ExpressionAttributeValues={":gig": {"SS": [gig_id]}, ":id": text(gig_id),
                                       ":limit": number(limit), ":ttl": number(ttl_epoch)},
        )) is not None

    def claim(self, user_ids: Sequence[str], *, day: str, gig_id: str, limit: int, ttl_epoch: int) -> set[str]:
        if limit <= 0 or not user_ids:
            return set()
        with ThreadPoolExecutor(max_workers=min(self._workers, len(user_ids))) as pool:
            granted = pool.map(lambda u: self._claim_one(u, day, gig_id, limit, ttl_epoch), user_ids)
            return {u for u, ok in zip(user_ids, granted, strict=True) if ok}
