"""In-memory fakes of the notification ports (:mod:`gigcore.ports.notifications`), held to the DynamoDB store by
tests/integration/test_notification_store_contract.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from gigcore.domain.notifications import Device, Notification, Preferences, QuietHours


def _device_key(device: Device) -> str:
    return f"{device.platform}#{hashlib.sha256(device.token.encode()).hexdigest()[:32]}"


class FakeNotificationStore:
    """:class:`gigcore.ports.notifications.NotificationStore` in memory.

    As on DynamoDB: one notification per (user, ``dedup_key``); a page is the newest ``limit`` (by id, ULIDs
    growing with time) and names where the next starts whenever it is full, even if nothing follows; the unread
    count moves with each add and each notification marked read once; devices are listed by platform and
    token hash, and adding one again forgets its endpoint."""

    def __init__(self) -> None:
        self.notifications: dict[str, dict[str, Notification]] = {}
        self.dedup: set[tuple[str, str]] = set()
        self.unread: dict[str, int] = {}
        self.prefs: dict[str, str] = {}
        self.device_items: dict[str, dict[str, Device]] = {}

    def add(self, notification: Notification, *, dedup_key: str) -> bool:
        if (notification.user_id, dedup_key) in self.dedup:
            return False
        self.dedup.add((notification.user_id, dedup_key))
        self.notifications.setdefault(notification.user_id, {})[notification.id] = notification
        self.unread[notification.user_id] = self.unread.get(notification.user_id, 0) + 1
        return True

    def page(self, user_id: str, *, limit: int, after: str | None) -> tuple[list[Notification], str | None]:
        mine = self.notifications.get(user_id, {})
        ids = sorted((i for i in mine if after is None or i < after), reverse=True)
        chosen = [mine[i] for i in ids[:limit]]
        return chosen, (chosen[-1].id if len(chosen) == limit and chosen else None)

    def unread_count(self, user_id: str) -> int:
        return max(0, self.unread.get(user_id, 0))

    def mark_read(self, user_id: str, ids: list[str] | None) -> None:
        mine = self.notifications.get(user_id, {})
        if ids is None:
            ids = sorted((i for i, n in mine.items() if not n.read), reverse=True)[:2000]
        for notification_id in dict.fromkeys(ids):
            found = mine.get(notification_id)
            if found is not None and not found.read:
                mine[notification_id] = replace(found, read=True)
                self.unread[user_id] = self.unread.get(user_id, 0) - 1

    def preferences(self, user_id: str) -> Preferences:
        stored = self.prefs.get(user_id)
        if stored is None:
            return Preferences()
        data = json.loads(stored)
        quiet = data["quiet_hours"]
        return Preferences(channels=data["channels"], per_type=data["per_type"],
                           quiet_hours=QuietHours(**quiet) if quiet else None)

    def save_preferences(self, user_id: str, preferences: Preferences) -> None:
        quiet = preferences.quiet_hours
        self.prefs[user_id] = json.dumps({
            "channels": preferences.channels, "per_type": preferences.per_type,
            "quiet_hours": {"start": quiet.start, "end": quiet.end, "tz": quiet.tz} if quiet else None})

    def devices(self, user_id: str) -> list[Device]:
        mine = self.device_items.get(user_id, {})
        return [mine[key] for key in sorted(mine)]

    def add_device(self, device: Device) -> None:
        self.device_items.setdefault(device.user_id, {})[_device_key(device)] = replace(device, endpoint_arn=None)

    def set_endpoint(self, device: Device, endpoint_arn: str) -> None:
        mine = self.device_items.setdefault(device.user_id, {})
        key = _device_key(device)
        if key in mine:
            mine[key] = replace(mine[key], endpoint_arn=endpoint_arn)

    def remove_device(self, device: Device) -> None:
        self.device_items.get(device.user_id, {}).pop(_device_key(device), None)


class FakePush:
    """:class:`gigcore.ports.notifications.PushSender` in memory: a device keeps the endpoint it was given;
    tokens in :attr:`dead` answer as disabled, and so does a forgotten endpoint."""

    def __init__(self, dead: set[str] | None = None) -> None:
        self.dead: set[str] = set(dead or ())
        self.pushed: list[tuple[str, str, str, dict[str, str]]] = []
        self.forgotten: list[str] = []

    def endpoint(self, device: Device) -> str:
        return device.endpoint_arn or f"arn:fake:push:{device.platform}:{device.token}"

    def push(self, endpoint_arn: str, title: str, body: str, data: dict[str, str]) -> bool:
        if endpoint_arn.rsplit(":", 1)[-1] in self.dead or endpoint_arn in self.forgotten:
            return False
        self.pushed.append((endpoint_arn, title, body, data))
        return True

    def forget(self, endpoint_arn: str) -> None:
        self.forgotten.append(endpoint_arn)


class FakeSms:
    """:class:`gigcore.ports.notifications.SmsSender` in memory."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def sms(self, phone: str, text: str) -> str:
        self.sent.append((phone, text))
        return f"sms-{len(self.sent)}"
