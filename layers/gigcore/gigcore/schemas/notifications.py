"""Request and response models of notifications: what docs/openapi.json describes (docs/notifications.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.notifications import TEMPLATES, Notification
from gigcore.schemas.common import (
    ClockTime,
    CursorText,
    Limit,
    QueryModel,
    RequestModel,
    ResponseModel,
    Timestamp,
    TimeZone,
    text,
    without_null,
)

Channel = Literal["push", "email", "sms"]


class ChannelsBody(RequestModel):
    push: bool
    email: bool
    sms: bool


class QuietHoursBody(RequestModel):
    start: ClockTime
    end: ClockTime
    tz: TimeZone


class PreferencesBody(RequestModel):
    channels: ChannelsBody
    per_type: Annotated[dict[str, Annotated[list[Channel], Field(max_length=3)]],
                        Field(json_schema_extra={"propertyNames": {"enum": sorted(TEMPLATES)}})] = {}
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


def _one_of_ids_or_all(schema: dict[str, Any]) -> None:
    """Two closed shapes, one of which the body is: what generated clients make a union of two types from (a
    ``oneOf`` of bare ``required`` lists is a shape they cannot build)."""
    without_null("ids", "all")(schema)
    properties = schema.pop("properties")
    for key in ("required", "additionalProperties", "type"):
        schema.pop(key, None)
    schema["oneOf"] = [
        {"title": f"MarkRead{name.title()}", "type": "object", "properties": {name: properties[name]},
         "required": [name], "additionalProperties": False}
        for name in ("ids", "all")
    ]
    schema["examples"] = [{"ids": ["01JDQ8M3Z5W8K2ZC6Y4V7N1PXA"]}]


class MarkReadRequest(RequestModel):
    """{"ids": [...]} or {"all": true}, one of the two."""

    model_config = ConfigDict(json_schema_extra=_one_of_ids_or_all)

    ids: Annotated[list[Annotated[str, text(1, 64)]], Field(max_length=100)] | None = None
    all: Literal[True] | None = None

    @field_validator("ids", "all", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave it out")
        return value

    @model_validator(mode="after")
    def _one(self) -> MarkReadRequest:
        if (self.ids is None) == (not self.all):
            raise ValueError("send either ids or all: true")
        return self


class DeviceRequest(RequestModel):
    platform: Literal["ios", "android"]
    token: Annotated[str, text(8, 4096)]


class NotificationOut(ResponseModel):
    id: str
    type: Annotated[str, Field(json_schema_extra={"enum": sorted(TEMPLATES)})]
    title: str
    body: str
    data: dict[str, Any]
    read: bool
    created_at: Timestamp


class NotificationPage(ResponseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread_count: int


class NotificationsQuery(QueryModel):
    cursor: CursorText | None = Field(default=None, description="next_cursor of the previous page")
    limit: Limit = 20


def notification_out(notification: Notification) -> NotificationOut:
    return NotificationOut(id=notification.id, type=notification.type, title=notification.title,
                           body=notification.body, data=notification.data, read=notification.read,
                           created_at=to_rfc3339(notification.created_at))
