"""Request and response models of "Notifications" (../shared/API.md)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.notifications import TEMPLATES, Notification
from gigcore.schemas.common import RequestModel, ResponseModel

Channel = Literal["push", "email", "sms"]
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class ChannelsBody(RequestModel):
    push: bool
    email: bool
    sms: bool


class QuietHoursBody(RequestModel):
    start: str
    end: str
    tz: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use HH:MM, 24-hour")
        return value

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not an IANA time zone such as Africa/Lagos") from exc
        return value


class PreferencesBody(RequestModel):
    channels: ChannelsBody
    per_type: dict[str, Annotated[list[Channel], Field(max_length=3)]] = {}
    quiet_hours: QuietHoursBody | None = None

    @field_validator("per_type")
    @classmethod
    def _known(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(TEMPLATES))
        if unknown:
            raise ValueError(f"unknown notification types: {', '.join(unknown)}")
        return {k: list(dict.fromkeys(v)) for k, v in value.items()}


class PreferencesOut(ResponseModel):
    channels: dict[str, bool]
    per_type: dict[str, list[str]]
    quiet_hours: dict[str, str] | None = None


class MarkReadRequest(RequestModel):
    ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=100)] | None = None
    all: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> MarkReadRequest:
        if (self.ids is None) == (not self.all):
            raise ValueError("send either ids or all: true")
        return self


class DeviceRequest(RequestModel):
    platform: Literal["ios", "android"]
    token: Annotated[str, Field(min_length=8, max_length=4096)]


class NotificationOut(ResponseModel):
    id: str
    type: str
    title: str
    body: str
    data: dict[str, Any]
    read: bool
    created_at: str


class NotificationPage(ResponseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread_count: int


class NotificationsQuery(RequestModel):
    cursor: str | None = None
    limit: int = Field(default=20, ge=1, le=100)
    fields: str | None = None


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(id=notification.id, type=notification.type, title=notification.title,
                           body=notification.body, data=notification.data, read=notification.read,
                           created_at=to_rfc3339(notification.created_at))
