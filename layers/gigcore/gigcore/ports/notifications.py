"""Ports of the notifications area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gigcore.domain.notifications import Device, Notification, Preferences


class NotificationStore(Protocol):
    """In-app notifications, their unread count, preferences and devices; the fake
    (tests/fake_notifications.py) is held to the DynamoDB store by test_notification_store_contract.py."""

    def add(self, notification: Notification, *, dedup_key: str) -> bool:
        """Store an in-app notification once per user and ``dedup_key``; False when it was already stored."""

    def page(self, user_id: str, *, limit: int, after: str | None) -> tuple[list[Notification], str | None]:
        """Newest first, from the position ``after`` (a page's answer) on; a full page names the next position
        even when nothing follows it."""

    def unread_count(self, user_id: str) -> int: ...

    def mark_read(self, user_id: str, ids: list[str] | None) -> None:
        """Mark these notifications read (when ``ids`` is None, every unread one, up to the 2,000 newest); ids
        that are not the user's, or already read, change nothing. Each counts once in :meth:`unread_count`."""

    def preferences(self, user_id: str) -> Preferences: ...

    def save_preferences(self, user_id: str, preferences: Preferences) -> None: ...

    def devices(self, user_id: str) -> list[Device]: ...

    def add_device(self, device: Device) -> None: ...

    def set_endpoint(self, device: Device, endpoint_arn: str) -> None:
        """Remember the device's push endpoint; a device removed meanwhile stays removed."""

    def remove_device(self, device: Device) -> None: ...


class PushSender(Protocol):
    def endpoint(self, device: Device) -> str:
        """The platform endpoint of a device token: the device's own when it has one, else a new one."""

    def push(self, endpoint_arn: str, title: str, body: str, data: dict[str, str]) -> bool:
        """Send; False when the endpoint is disabled or gone (the token is dead and the device must go)."""

    def forget(self, endpoint_arn: str) -> None:
        """Delete the platform endpoint of a dead token (pushing to it afterwards answers False)."""


class SmsSender(Protocol):
    def sms(self, phone: str, text: str) -> str: ...


class MatchQuota(Protocol):
    """How many gig matches each freelancer was sent on one day, so that nobody is flooded."""

    def claim(self, user_ids: Sequence[str], *, day: str, gig_id: str, limit: int, ttl_epoch: int) -> set[str]:
        """Count ``gig_id`` against each user's ``day`` (at most ``limit`` distinct gigs a day); returns the users
        for whom it counts. Idempotent: a gig already counted for a user is granted again, not counted twice."""
