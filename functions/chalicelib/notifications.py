"""``/me/notifications``, ``/me/notification-preferences`` and ``/me/devices``."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import body, json_response, no_content, principal, query_params, route
from gigcore import bootstrap
from gigcore.domain.notifications import Device, Preferences, QuietHours
from gigcore.schemas.notifications import (
    DeviceRequest,
    MarkReadRequest,
    NotificationPage,
    NotificationsQuery,
    PreferencesBody,
    PreferencesOut,
    notification_out,
)
from gigcore.services import notifications

bp = Blueprint(__name__)


@route(bp, "/me/notifications", summary="My notifications, newest first, with the unread count",
       response=NotificationPage, query_model=NotificationsQuery, errors=(400, 422), tag="notifications")
def feed() -> NotificationPage:
    query = NotificationsQuery.model_validate(query_params())
    container = bootstrap.container()
    caller = principal()
    scope = {"user": caller.user_id}
    after = container.cursors.decode(query.cursor, scope="/me/notifications", params=scope)["after"] \
        if query.cursor else None
    page = notifications.feed(caller.user_id, limit=query.limit, after=after, store=container.notification_store)
    cursor = container.cursors.encode({"after": page.after}, scope="/me/notifications", params=scope) \
        if page.after else None
    return NotificationPage(items=[notification_out(n) for n in page.items], next_cursor=cursor,
                            unread_count=page.unread_count)


@route(bp, "/me/notifications/read", method="POST", summary="Mark notifications read", request=MarkReadRequest,
       status=204, tag="notifications")
def mark_read() -> Response:
    cmd = body(MarkReadRequest)
    notifications.mark_read(principal().user_id, None if cmd.all else cmd.ids,
                            store=bootstrap.container().notification_store)
    return no_content()


def _preferences_out(preferences: Preferences) -> PreferencesOut:
    quiet = preferences.quiet_hours
    return PreferencesOut(channels=preferences.channels, per_type=preferences.per_type,
                          quiet_hours={"start": quiet.start, "end": quiet.end, "tz": quiet.tz} if quiet else None)


@route(bp, "/me/notification-preferences", summary="My notification preferences", response=PreferencesOut,
       tag="notifications")
def get_preferences() -> PreferencesOut:
    return _preferences_out(notifications.preferences_of(principal().user_id,
                                                         store=bootstrap.container().notification_store))


@route(bp, "/me/notification-preferences", method="PUT", summary="Set my notification preferences",
       request=PreferencesBody, response=PreferencesOut, tag="notifications")
def put_preferences() -> PreferencesOut:
    cmd = body(PreferencesBody)
    quiet = cmd.quiet_hours
    preferences = Preferences(channels=cmd.channels.model_dump(),
                              per_type={k: list(v) for k, v in cmd.per_type.items()},
                              quiet_hours=QuietHours(quiet.start, quiet.end, quiet.tz) if quiet else None)
    return _preferences_out(notifications.set_preferences(principal().user_id, preferences,
                                                          store=bootstrap.container().notification_store))


@route(bp, "/me/devices", method="POST", summary="Register a device for push", request=DeviceRequest, status=201,
       tag="notifications")
def add_device() -> Response:
    cmd = body(DeviceRequest)
    notifications.register_device(Device(user_id=principal().user_id, platform=cmd.platform, token=cmd.token),
                                  store=bootstrap.container().notification_store)
    return json_response({"platform": cmd.platform, "registered": True}, 201)
