"""The notification pipeline: fan-out of events to the in-app feed, the live socket and the channel queues,
and the channel senders (email via SES, SMS and push via SNS).

Every step is idempotent on a business key: the in-app item on the event id (one notification for a
duplicated event), channel messages on ``<event id>:<channel>`` (the consumers' processed markers), so a
retry after a failure re-sends only what did not complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.ids import new_id
from gigcore.domain.notifications import TEMPLATES, Device, Notification, Preferences, choose_channels, render
from gigcore.domain.users import User
from gigcore.ports import ConnectionNotifier, OutboxEvent, Queue
from gigcore.ports.auth import Mailer, UserRepository
from gigcore.ports.chat import ConnectionStore
from gigcore.ports.notifications import NotificationStore, PushSender, SmsSender

CHANNEL_EVENT = "channel.{}"
#: ``audience`` of an event meant for every admin (a dispute opened), instead of one ``user_id``.
ADMINS = "admins"
#: The most admins one such event reaches.
MAX_ADMINS = 500


@dataclass(frozen=True)
class NotificationPorts:
    store: NotificationStore
    users: UserRepository
    queue: Queue
    notifier: ConnectionNotifier
    connections: ConnectionStore
    mailer: Mailer
    push: PushSender
    sms: SmsSender


@dataclass(frozen=True)
class Feed:
    """A page of a user's in-app notifications, newest first, with where the next starts and the unread count."""

    items: list[Notification]
    after: str | None
    unread_count: int


def feed(user_id: str, *, limit: int, after: str | None, store: NotificationStore) -> Feed:
    items, next_after = store.page(user_id, limit=limit, after=after)
    return Feed(items=items, after=next_after, unread_count=store.unread_count(user_id))


def mark_read(user_id: str, ids: list[str] | None, *, store: NotificationStore) -> None:
    """Mark the caller's notifications ``ids`` read (all of them when None); others' ids change nothing."""
    store.mark_read(user_id, ids)


def preferences_of(user_id: str, *, store: NotificationStore) -> Preferences:
    return store.preferences(user_id)


def set_preferences(user_id: str, preferences: Preferences, *, store: NotificationStore) -> Preferences:
    """Replace the caller's preferences; returns them as stored."""
    store.save_preferences(user_id, preferences)
    return preferences


def register_device(device: Device, *, store: NotificationStore) -> None:
    """Register a device token for push (registering it again is harmless)."""
    store.add_device(device)


def notification_frame(notification: Notification) -> dict[str, Any]:
    """The WebSocket frame of a new in-app notification; its ``notification`` is the item as
    ``GET /me/notifications`` shows it (API.md)."""
    return {"type": "notification", "notification": {
        "id": notification.id, "type": notification.type, "title": notification.title, "body": notification.body,
        "data": dict(notification.data), "read": notification.read,
        "created_at": to_rfc3339(notification.created_at)}}


def fan_out(event: OutboxEvent, *, ports: NotificationPorts, now: datetime) -> list[str]:
    """Deliver one event to its user, or (``audience: "admins"`` instead of ``user_id``) to every admin but
    those in ``except_user_ids``; returns the channels it was queued for. A retry after a failure part-way
    reaches only those not reached yet (each user's item is deduplicated on the event id)."""
    if event.type not in TEMPLATES:
        raise ValueError(f"not a notification type: {event.type}")
    payload = dict(event.payload)
    if payload.get("audience") == ADMINS:
        skip = {str(u) for u in payload.get("except_user_ids", [])}
        return [channel for admin in ports.users.admins(limit=MAX_ADMINS) if admin.id not in skip
                for channel in _deliver(event, admin, payload, ports=ports, now=now, per_user=True)]
    user = ports.users.get(str(payload["user_id"]))
    if user is None:
        return []
    return _deliver(event, user, payload, ports=ports, now=now, per_user=False)


def _deliver(event: OutboxEvent, user: User, payload: dict[str, Any], *, ports: NotificationPorts, now: datetime,
             per_user: bool) -> list[str]:
    title, body = render(event.type, payload)
    data = {k: str(v) for k, v in payload.items() if k.endswith("_id") and k != "user_id"}
    notification = Notification(id=new_id(), user_id=user.id, type=event.type, title=title, body=body, data=data,
                                read=False, created_at=now)
    if ports.store.add(notification, dedup_key=event.id):
        frame = notification_frame(notification)
        for connection_id in ports.connections.of_users([user.id]).get(user.id, []):
            if not ports.notifier.post(connection_id, frame):
                ports.connections.remove(connection_id)
    preferences = ports.store.preferences(user.id)
    devices = ports.store.devices(user.id)
    channels = choose_channels(event.type, preferences, has_devices=bool(devices), has_phone=bool(user.phone),
                               now=now)
    for channel in channels:
        # One event to many users: each user's channel message has its own id (the consumers dedup on it).
        message_id = f"{event.id}:{user.id}:{channel}" if per_user else f"{event.id}:{channel}"
        ports.queue.send(channel, {"id": message_id, "type": CHANNEL_EVENT.format(channel),
                                   "payload": {"user_id": user.id, "kind": event.type, "title": title, "body": body,
                                               "data": data}})
    return channels


def _html(title: str, body: str) -> str:
    escape = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    safe_title = "".join(escape.get(c, c) for c in title)
    safe_body = "".join(escape.get(c, c) for c in body)
    return (f"<html><body><h2>{safe_title}</h2><p>{safe_body}</p>"
            "<p style=\"color:#888\">You can change which emails you get in the GigConnect app.</p></body></html>")


def send_email(event: OutboxEvent, *, ports: NotificationPorts) -> None:
    payload: dict[str, Any] = dict(event.payload)
    user = ports.users.get(str(payload["user_id"]))
    if user is None:
        return
    text = f"{payload['body']}\n\nYou can change which emails you get in the GigConnect app."
    ports.mailer.send(user.email, f"GigConnect: {payload['title']}", text, _html(payload["title"], payload["body"]))


def send_sms(event: OutboxEvent, *, ports: NotificationPorts) -> None:
    payload: dict[str, Any] = dict(event.payload)
    user = ports.users.get(str(payload["user_id"]))
    if user is None or not user.phone:
        return
    ports.sms.sms(user.phone, f"GigConnect: {payload['title']}. {payload['body']}"[:300])


def send_push(event: OutboxEvent, *, ports: NotificationPorts) -> int:
    """Push to every device of the user; a disabled endpoint (dead token) removes that device."""
    payload: dict[str, Any] = dict(event.payload)
    sent = 0
    for device in ports.store.devices(str(payload["user_id"])):
        endpoint = ports.push.endpoint(device)
        if endpoint != device.endpoint_arn:
            ports.store.set_endpoint(device, endpoint)
        if ports.push.push(endpoint, str(payload["title"]), str(payload["body"]),
                           {k: str(v) for k, v in payload.get("data", {}).items()}):
            sent += 1
        else:
            ports.push.forget(endpoint)
            ports.store.remove_device(device)
    return sent
