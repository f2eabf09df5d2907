"""Notifications: types, their wording, channels, preferences and quiet hours (pure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

CHANNELS = ("push", "email", "sms")

#: Every type of the contract, with a title and a body filled from the event's payload.
TEMPLATES: dict[str, tuple[str, str]] = {
    "application.received": ("New application", "{freelancer_name} applied to \u201c{gig_title}\u201d."),
    "application.accepted": ("You got the gig", "Your application to \u201c{gig_title}\u201d was accepted."),
    "application.rejected": ("Application update", "Your application to \u201c{gig_title}\u201d was not selected."),
    "milestone.funded": ("Milestone funded", "\u201c{milestone_title}\u201d is funded and held in escrow."),
    "milestone.submitted": ("Work submitted", "\u201c{milestone_title}\u201d was submitted for your review."),
    "milestone.released": ("Payment released", "The payment for \u201c{milestone_title}\u201d is on its way."),
    "milestone.refunded": ("Milestone refunded", "\u201c{milestone_title}\u201d was refunded."),
    "dispute.opened": ("Dispute opened", "A dispute was opened on \u201c{milestone_title}\u201d."),
    "dispute.resolved": ("Dispute resolved", "The dispute on \u201c{milestone_title}\u201d was resolved."),
    "contract.cancelled": ("Contract cancelled", "The contract for \u201c{gig_title}\u201d was cancelled."),
    "message.received": ("New message", "{sender_name}: {preview}"),
    "gig.nearby_match": ("A gig near you", "\u201c{gig_title}\u201d matches your skills, {distance_km} km away."),
}

#: Channels used when the user's preferences do not name the type. SMS only where money moves.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {t: ("push", "email") for t in TEMPLATES} | {
    "milestone.funded": ("push", "email", "sms"),
    "milestone.released": ("push", "email", "sms"),
    "message.received": ("push",),  # push, else email (see choose_channels)
}


def render(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    title, body = TEMPLATES[kind]
    values: defaultdict[str, str] = defaultdict(str, {k: str(v) for k, v in payload.items()})
    return title.format_map(values), body.format_map(values)


@dataclass(frozen=True)
class QuietHours:
    start: str
    end: str
    tz: str

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.tz)).time()
        start, end = time.fromisoformat(self.start), time.fromisoformat(self.end)
        if start <= end:
            return start <= local < end
        return local >= start or local < end  # over midnight, e.g. 22:00-07:00


@dataclass(frozen=True)
class Preferences:
    channels: dict[str, bool] = field(default_factory=lambda: {"push": True, "email": True, "sms": True})
    per_type: dict[str, list[str]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None


def choose_channels(kind: str, prefs: Preferences, *, has_devices: bool, has_phone: bool,
                    now: datetime) -> list[str]:
    """Where a notification goes besides the in-app feed.

    The user's ``per_type`` list wins over the default; switched-off channels are dropped; during quiet
    hours push and SMS are held back (the in-app item and email are not intrusive). A message that would
    go by push to a user without devices goes by email instead.
    """
    wanted = list(prefs.per_type.get(kind, DEFAULT_CHANNELS.get(kind, ("push", "email"))))
    if kind == "message.received" and "push" in wanted and not has_devices and "email" not in wanted:
        wanted.append("email")
    chosen = [c for c in wanted if prefs.channels.get(c, False)]
    if "push" in chosen and not has_devices:
        chosen.remove("push")
    if "sms" in chosen and not has_phone:
        chosen.remove("sms")
    if kind == "message.received" and "push" in chosen and "email" in chosen:
        chosen.remove("email")  # push, else email
    if prefs.quiet_hours is not None and prefs.quiet_hours.contains(now):
        chosen = [c for c in chosen if c not in ("push", "sms")]
    return chosen


@dataclass(frozen=True)
class Notification:
    id: str
    user_id: str
    type: str
    title: str
    body: str
    data: dict[str, Any]
    read: bool
    created_at: datetime


@dataclass(frozen=True)
class Device:
    user_id: str
    platform: str
    token: str
    endpoint_arn: str | None = None
