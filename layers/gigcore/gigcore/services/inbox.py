"""The caller's own notifications: the feed with its unread count, marking read, preferences and devices.

The sending side (fan-out to channels, quiet hours) is :mod:`gigcore.services.notifications`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gigcore.domain.notifications import Device, Notification, Preferences
from gigcore.ports.notifications import NotificationStore


@dataclass(frozen=True)
class Feed:
    notifications: list[Notification]
    #: Where the next page starts (None on the last page).
    after: str | None
    unread_count: int


def feed(user_id: str, *, limit: int, after: str | None, store: NotificationStore) -> Feed:
    """The user's notifications, newest first, ``limit`` of them after ``after``, with the unread count."""
    items, next_after = store.page(user_id, limit=limit, after=after)
    return Feed(notifications=items, after=next_after, unread_count=store.unread_count(user_id))


def mark_read(user_id: str, ids: list[str] | None, *, store: NotificationStore) -> None:
    """Mark the user's notifications ``ids`` read (all of them when None)."""
    store.mark_read(user_id, ids)


def preferences(user_id: str, *, store: NotificationStore) -> Preferences:
    return store.preferences(user_id)


def set_preferences(user_id: str, chosen: Preferences, *, store: NotificationStore) -> Preferences:
    """Replace the user's preferences; returns what is now stored."""
    store.save_preferences(user_id, chosen)
    return chosen


def register_device(device: Device, *, store: NotificationStore) -> None:
    """Register a device token of the user for push."""
    store.add_device(device)
