"""The notification pipeline over the local stack: an event becomes an in-app item, an email in moto's SES,
an SMS and a push in moto's SNS, as the user's preferences and quiet hours say."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gigcore import bootstrap
from gigcore.domain.ids import new_id

pytestmark = pytest.mark.integration


def user(api, phone: str | None = "+2348012345678") -> dict:
    body = {"email": f"notify-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
            "name": "Notified", "roles": ["freelancer"]} | ({"phone": phone} if phone else {})
    return api.post("/auth/signup", body).json_body


def emit(kind: str, payload: dict, event_id: str | None = None) -> str:
    event_id = event_id or new_id()
    bootstrap.container().queue.send("notifications", {"id": event_id, "type": kind, "payload": payload})
    return event_id


def moto_sns(stack_env) -> dict:
    url = stack_env["GIGCONNECT_AWS_ENDPOINT"] + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
        return json.load(answer).get("sns", {})


def pushes_to(stack_env, token: str) -> list[dict]:
    endpoints = [e for e in moto_sns(stack_env).get("PlatformEndpoint", []) if e["token"] == token]
    return [json.loads(m) for e in endpoints for m in e.get("messages", {}).values()]


def texts_to(stack_env, phone_holder: str) -> list[str]:
    return [m["message"] for m in moto_sns(stack_env).get("SMS", []) if phone_holder in m["message"]]


def run_pipeline(deliver) -> None:
    deliver("notifications")
    for channel in ("email", "sms", "push"):
        deliver(channel)


def test_an_event_reaches_every_channel_the_user_allows(api, deliver, inbox, stack_env):
    someone = user(api)
    token = f"device-{uuid.uuid4().hex}"
    assert api.post("/me/devices", {"platform": "ios", "token": token},
                    token=someone["access_token"]).status_code == 201
    title = f"Lighting rig {uuid.uuid4().hex[:6]}"
    emit("milestone.funded", {"user_id": someone["user"]["id"], "milestone_title": title,
                              "contract_id": "C1", "milestone_id": "M1"})
    run_pipeline(deliver)

    feed = api.get("/me/notifications", token=someone["access_token"]).json_body
    assert feed["unread_count"] == 1
    (item,) = feed["items"]
    assert item["type"] == "milestone.funded" and title in item["body"] and item["read"] is False
    assert item["data"] == {"contract_id": "C1", "milestone_id": "M1"}
    mails = inbox(someone["user"]["email"])
    assert len(mails) == 1 and title in mails[0]["body"] and "Milestone funded" in mails[0]["subject"]
    assert len(texts_to(stack_env, title)) == 1
    (push,) = pushes_to(stack_env, token)
    assert title in json.loads(push["APNS_SANDBOX"])["aps"]["alert"]["body"]


def test_preferences_and_quiet_hours_hold_back_what_they_should(api, deliver, inbox, stack_env):
    someone = user(api)
    token = f"device-{uuid.uuid4().hex}"
    api.post("/me/devices", {"platform": "android", "token": token}, token=someone["access_token"])
    now_lagos = datetime.now(UTC).astimezone(ZoneInfo("Africa/Lagos"))
    quiet = {"start": (now_lagos - timedelta(hours=1)).strftime("%H:%M"),
             "end": (now_lagos + timedelta(hours=1)).strftime("%H:%M"), "tz": "Africa/Lagos"}
    prefs = {"channels": {"push": True, "email": True, "sms": True},
             "per_type": {"milestone.released": ["sms", "push"]},
             "quiet_hours": quiet}
    saved = api.put("/me/notification-preferences", prefs, token=someone["access_token"])
    assert saved.status_code == 200 and saved.json_body["quiet_hours"] == quiet
    assert api.get("/me/notification-preferences", token=someone["access_token"]).json_body == saved.json_body

    title = f"Edit {uuid.uuid4().hex[:6]}"
    emit("milestone.released", {"user_id": someone["user"]["id"], "milestone_title": title})
    run_pipeline(deliver)
    # In quiet hours push and SMS wait; per_type said no email: only the in-app item.
    assert api.get("/me/notifications", token=someone["access_token"]).json_body["unread_count"] == 1
    assert inbox(someone["user"]["email"]) == [] and texts_to(stack_env, title) == []
    assert pushes_to(stack_env, token) == []

    api.put("/me/notification-preferences", prefs | {"quiet_hours": None}, token=someone["access_token"])
    emit("milestone.released", {"user_id": someone["user"]["id"], "milestone_title": title + " again"})
    run_pipeline(deliver)
    assert len(texts_to(stack_env, title + " again")) == 1 and len(pushes_to(stack_env, token)) == 1
    assert inbox(someone["user"]["email"]) == []


def test_a_duplicated_event_makes_one_notification(api, deliver):
    someone = user(api)
    event_id = new_id()
    for _ in range(3):
        emit("application.accepted", {"user_id": someone["user"]["id"], "gig_title": "Boom operator"}, event_id)
    run_pipeline(deliver)
    assert len(api.get("/me/notifications", token=someone["access_token"]).json_body["items"]) == 1


def test_mark_read_by_ids_and_all(api, deliver):
    someone = user(api, phone=None)
    for n in range(3):
        emit("application.received", {"user_id": someone["user"]["id"], "gig_title": f"Gig {n}",
                                      "freelancer_name": "Ada"})
    run_pipeline(deliver)
    items = api.get("/me/notifications", token=someone["access_token"]).json_body["items"]
    assert api.post("/me/notifications/read", {"ids": [items[0]["id"]]},
                    token=someone["access_token"]).status_code == 204
    assert api.get("/me/notifications", token=someone["access_token"]).json_body["unread_count"] == 2
    assert api.post("/me/notifications/read", {"all": True}, token=someone["access_token"]).status_code == 204
    feed = api.get("/me/notifications", token=someone["access_token"]).json_body
    assert feed["unread_count"] == 0 and all(i["read"] for i in feed["items"])
    assert api.post("/me/notifications/read", {}, token=someone["access_token"]).status_code == 422


def test_a_disabled_push_endpoint_removes_the_device(api, deliver, stack_env):
    someone = user(api)
    token = f"device-{uuid.uuid4().hex}"
    api.post("/me/devices", {"platform": "ios", "token": token}, token=someone["access_token"])
    api.put("/me/notification-preferences", {"channels": {"push": True, "email": False, "sms": False}},
            token=someone["access_token"])
    emit("application.accepted", {"user_id": someone["user"]["id"], "gig_title": "first"})
    run_pipeline(deliver)
    assert len(pushes_to(stack_env, token)) == 1
    sns = bootstrap.container().aws.client("sns")
    endpoint = next(e["arn"] for e in moto_sns(stack_env)["PlatformEndpoint"] if e["token"] == token)
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    emit("application.accepted", {"user_id": someone["user"]["id"], "gig_title": "second"})
    run_pipeline(deliver)
    assert bootstrap.container().notification_store.devices(someone["user"]["id"]) == []


def test_an_offline_chat_participant_gets_a_message_notification(api, deliver):
    sender, receiver = user(api, phone=None), user(api, phone=None)
    conversation = api.post("/conversations", {"participant_ids": [receiver["user"]["id"]]},
                            token=sender["access_token"]).json_body
    api.post(f"/conversations/{conversation['id']}/messages", {"body": "are you free friday?", "client_msg_id": "c1"},
             token=sender["access_token"])
    run_pipeline(deliver)
    items = api.get("/me/notifications", token=receiver["access_token"]).json_body["items"]
    assert [i["type"] for i in items] == ["message.received"]
    assert "are you free friday?" in items[0]["body"] and items[0]["data"]["conversation_id"] == conversation["id"]


def test_a_poison_notification_lands_in_the_dlq_and_is_redriven(api, stack_env, stack_settings):
    from gigcore.cli.redrive import redrive
    from infra.local.runtime.loader import AppIndex, LambdaContext, import_app
    from infra.local.runtime.pollers import SqsPoller

    app = import_app()
    index = AppIndex.of(app, stack_env["GIGCONNECT_STACK_NAME"])
    consumer = next(c for c in index.consumers if c.handler == "notifications_consumer")
    poller = SqsPoller(stack_env["GIGCONNECT_AWS_ENDPOINT"], consumer.queue_name, consumer.handler, 10,
                       lambda h, e: app.handler_map[h](e, LambdaContext(h)))
    someone = user(api, phone=None)
    poison = emit("milestone.refunded", {"milestone_title": "no user id: cannot be delivered"})
    poller.start()
    try:
        sqs = bootstrap.container().aws.client("sqs")
        dlq = sqs.get_queue_url(QueueName=stack_settings.dead_letter_queue_name("notifications"))["QueueUrl"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
            if int(attributes["Attributes"]["ApproximateNumberOfMessages"]) >= 1:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the poison message never reached the dead-letter queue")
    finally:
        poller.stop()
        poller.join(timeout=5)
    assert redrive("notifications") >= 1
    sqs = bootstrap.container().aws.client("sqs")
    url = sqs.get_queue_url(QueueName=stack_settings.queue_name("notifications"))["QueueUrl"]
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                                 VisibilityTimeout=0).get("Messages", [])]
    assert poison in [b["id"] for b in bodies]
    # The fix: the message now names its user; the redriven copy is dropped once the fixed one is delivered.
    del someone
