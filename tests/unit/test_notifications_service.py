"""The notification pipeline on fakes: what lands in the feed, on the live socket, in each channel's queue, and
what the channel senders send."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigcore.domain.chat import Connection
from gigcore.domain.notifications import Device, Preferences, QuietHours
from gigcore.domain.users import User
from gigcore.ports import OutboxEvent
from gigcore.schemas.notifications import notification_out
from gigcore.services import notifications
from gigcore.services.notifications import NotificationPorts
from tests.fake_chat import FakeConnectionStore
from tests.fake_notifications import FakeNotificationStore, FakePush, FakeSms
from tests.fakes import FakeMailer, FakeNotifier, FakeQueue, FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def ports() -> NotificationPorts:
    return NotificationPorts(store=FakeNotificationStore(), users=FakeUsers(), queue=FakeQueue(),
                             notifier=FakeNotifier(), connections=FakeConnectionStore(), mailer=FakeMailer(),
                             push=FakePush(), sms=FakeSms())


def person(ports: NotificationPorts, user_id: str = "U1", *, phone: str | None = None,
           roles: tuple[str, ...] = ("client",)) -> User:
    user = User(id=user_id, email=f"{user_id.lower()}@example.com", name=user_id, roles=roles, password_hash="h",
                created_at=NOW, phone=phone)
    ports.users.add(user)
    return user


def funded(user_id: str = "U1", event_id: str = "E1") -> OutboxEvent:
    return OutboxEvent(id=event_id, type="milestone.funded", queue="notifications",
                       payload={"user_id": user_id, "milestone_title": "Tiles", "contract_id": "C1"})


def test_an_event_reaches_the_feed_and_the_default_channels(ports):
    person(ports, phone="+33600000000")
    channels = notifications.fan_out(funded(), ports=ports, now=NOW)
    assert channels == ["email", "sms"]  # push needs a device
    page = notifications.feed("U1", limit=10, after=None, store=ports.store)
    [item] = page.items
    assert (item.title, item.body, item.data, page.unread_count) == (
        "Milestone funded", "\u201cTiles\u201d is funded and held in escrow.", {"contract_id": "C1"}, 1)
    assert [(queue, body["id"], body["type"]) for queue, body in ports.queue.sent] == [
        ("email", "E1:email", "channel.email"), ("sms", "E1:sms", "channel.sms")]


def test_a_redelivered_event_makes_one_feed_item(ports):
    person(ports)
    notifications.fan_out(funded(), ports=ports, now=NOW)
    notifications.fan_out(funded(), ports=ports, now=NOW)
    assert len(notifications.feed("U1", limit=10, after=None, store=ports.store).items) == 1


def test_an_online_user_gets_the_item_on_their_socket_as_the_feed_shows_it(ports):
    person(ports)
    ports.connections.add(Connection("C-live", "U1", 0, 7200))
    ports.notifier.open("C-live")
    ports.connections.add(Connection("C-gone", "U1", 0, 7200))
    ports.notifier.gone.add("C-gone")
    notifications.fan_out(funded(), ports=ports, now=NOW)
    [frame] = ports.notifier.frames("C-live")
    [item] = notifications.feed("U1", limit=10, after=None, store=ports.store).items
    assert frame == {"type": "notification", "notification": notification_out(item).model_dump(mode="json")}
    assert ports.connections.get("C-gone") is None  # the stale connection is forgotten


def test_preferences_and_quiet_hours_choose_the_channels(ports):
    person(ports, phone="+33600000000")
    ports.store.add_device(Device("U1", "ios", "tok"))
    quiet = Preferences(quiet_hours=QuietHours("08:00", "10:00", "UTC"))
    notifications.set_preferences("U1", quiet, store=ports.store)
    assert notifications.preferences_of("U1", store=ports.store) == quiet
    assert notifications.fan_out(funded(), ports=ports, now=NOW) == ["email"]  # push and SMS held back at 09:00


def test_an_event_for_admins_reaches_each_admin_but_those_excepted(ports):
    person(ports, "A1", roles=("admin",))
    person(ports, "A2", roles=("admin",))
    person(ports, "U9")
    event = OutboxEvent(id="D1", type="dispute.opened", queue="notifications",
                        payload={"audience": "admins", "except_user_ids": ["A2"], "milestone_title": "Tiles"})
    assert notifications.fan_out(event, ports=ports, now=NOW) == ["email"]
    assert [body["id"] for _, body in ports.queue.sent] == ["D1:A1:email"]
    assert notifications.feed("A2", limit=10, after=None, store=ports.store).items == []


def test_an_event_for_a_user_who_is_gone_does_nothing(ports):
    assert notifications.fan_out(funded("U-GONE"), ports=ports, now=NOW) == []
    assert ports.queue.sent == []


def test_an_unknown_type_is_refused(ports):
    with pytest.raises(ValueError):
        notifications.fan_out(OutboxEvent(id="E", type="gig.created", queue="", payload={}), ports=ports, now=NOW)


def test_mark_read_clears_the_unread_count(ports):
    person(ports)
    notifications.fan_out(funded(event_id="E1"), ports=ports, now=NOW)
    notifications.fan_out(funded(event_id="E2"), ports=ports, now=NOW)
    first = notifications.feed("U1", limit=10, after=None, store=ports.store).items[0]
    notifications.mark_read("U1", [first.id], store=ports.store)
    assert notifications.feed("U1", limit=10, after=None, store=ports.store).unread_count == 1
    notifications.mark_read("U1", None, store=ports.store)
    assert notifications.feed("U1", limit=10, after=None, store=ports.store).unread_count == 0


def channel(kind: str, user_id: str = "U1") -> OutboxEvent:
    return OutboxEvent(id=f"E1:{kind}", type=f"channel.{kind}", queue="", payload={
        "user_id": user_id, "kind": "milestone.funded", "title": "Milestone <funded>", "body": "Tiles & more",
        "data": {"contract_id": "C1"}})


def test_the_email_is_escaped_and_says_how_to_stop_it(ports):
    person(ports)
    notifications.send_email(channel("email"), ports=ports)
    [(to, subject, text, html)] = ports.mailer.sent
    assert (to, subject) == ("u1@example.com", "GigConnect: Milestone <funded>")
    assert text.startswith("Tiles & more\n\n") and "change which emails" in text
    assert "<h2>Milestone &lt;funded&gt;</h2><p>Tiles &amp; more</p>" in html


def test_an_sms_goes_to_a_user_with_a_phone_only(ports):
    person(ports, "U1", phone="+33600000000")
    person(ports, "U2")
    notifications.send_sms(channel("sms"), ports=ports)
    notifications.send_sms(channel("sms", "U2"), ports=ports)
    assert ports.sms.sent == [("+33600000000", "GigConnect: Milestone <funded>. Tiles & more")]


def test_push_reaches_every_device_and_a_dead_token_removes_its_device(ports):
    person(ports)
    notifications.register_device(Device("U1", "ios", "alive"), store=ports.store)
    notifications.register_device(Device("U1", "android", "dead"), store=ports.store)
    ports.push.dead.add("dead")
    assert notifications.send_push(channel("push"), ports=ports) == 1
    assert [d.token for d in ports.store.devices("U1")] == ["alive"]
    assert ports.store.devices("U1")[0].endpoint_arn == "arn:fake:push:ios:alive"
    assert ports.push.forgotten == ["arn:fake:push:android:dead"]
