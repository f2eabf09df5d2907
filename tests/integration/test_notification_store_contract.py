"""The ``NotificationStore`` contract, run against the DynamoDB store (on DynamoDB Local) and the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gigcore.domain.ids import new_id
from gigcore.domain.notifications import Device, Notification, Preferences, QuietHours
from gigcore.ports.notifications import NotificationStore
from tests.fake_notifications import FakeNotificationStore

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["dynamodb", "fake"])
def store(request: pytest.FixtureRequest) -> Iterator[NotificationStore]:
    if request.param == "fake":
        yield FakeNotificationStore()
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    yield bootstrap.container().notification_store


def user() -> str:
    return f"U{uuid.uuid4().hex[:12]}"


def note(user_id: str, title: str = "t", *, ms: int = 0) -> Notification:
    return Notification(id=new_id(int(NOW.timestamp() * 1000) + ms), user_id=user_id, type="gig.applied",
                        title=title, body="b", data={"gig_id": "G1"}, read=False, created_at=NOW)


def test_a_notification_is_stored_once_per_dedup_key_and_user(store):
    me, other = user(), user()
    first = note(me)
    assert store.add(first, dedup_key="E1") is True
    assert store.add(note(me), dedup_key="E1") is False
    assert store.add(note(other), dedup_key="E1") is True
    items, _ = store.page(me, limit=10, after=None)
    assert items == [first]
    assert store.unread_count(me) == 1


def test_pages_are_newest_first_and_full_pages_name_the_next(store):
    me = user()
    made = [note(me, f"n{i}", ms=i) for i in range(5)]
    for n in made:
        store.add(n, dedup_key=n.id)
    first, after = store.page(me, limit=2, after=None)
    assert [n.title for n in first] == ["n4", "n3"] and after is not None
    second, after = store.page(me, limit=2, after=after)
    assert [n.title for n in second] == ["n2", "n1"] and after is not None
    third, after = store.page(me, limit=2, after=after)
    assert [n.title for n in third] == ["n0"] and after is None
    assert store.page(user(), limit=2, after=None) == ([], None)


def test_marking_read_counts_each_notification_once(store):
    me = user()
    made = [note(me) for _ in range(3)]
    for n in made:
        store.add(n, dedup_key=n.id)
    store.mark_read(me, [made[0].id, made[0].id, "01NOTANID0000000000000000"])
    assert store.unread_count(me) == 2
    store.mark_read(me, [made[0].id])
    assert store.unread_count(me) == 2
    store.mark_read(me, None)
    assert store.unread_count(me) == 0
    items, _ = store.page(me, limit=10, after=None)
    assert all(n.read for n in items)


def test_someone_elses_notification_is_not_marked(store):
    me, other = user(), user()
    theirs = note(other)
    store.add(theirs, dedup_key=theirs.id)
    store.mark_read(me, [theirs.id])
    assert store.unread_count(other) == 1 and store.unread_count(me) == 0


def test_preferences_default_then_read_back_as_saved(store):
    me = user()
    assert store.preferences(me) == Preferences()
    chosen = Preferences(channels={"push": True, "email": False, "sms": False}, per_type={"gig.applied": ["push"]},
                         quiet_hours=QuietHours("22:00", "07:00", "Europe/Paris"))
    store.save_preferences(me, chosen)
    assert store.preferences(me) == chosen
    store.save_preferences(me, Preferences())
    assert store.preferences(me) == Preferences()


def test_devices_are_kept_per_token_with_their_endpoint(store):
    me = user()
    phone = Device(user_id=me, platform="ios", token="tok-a")
    tablet = Device(user_id=me, platform="android", token="tok-b")
    store.add_device(phone)
    store.add_device(tablet)
    store.add_device(phone)
    assert sorted((d.platform, d.token, d.endpoint_arn) for d in store.devices(me)) == [
        ("android", "tok-b", None), ("ios", "tok-a", None)]
    store.set_endpoint(phone, "arn:push:1")
    assert {d.token: d.endpoint_arn for d in store.devices(me)} == {"tok-a": "arn:push:1", "tok-b": None}
    store.remove_device(phone)
    assert [d.token for d in store.devices(me)] == ["tok-b"]
    assert store.devices(user()) == []


def test_a_full_last_page_still_names_a_next_page_that_is_empty(store):
    me = user()
    for i in range(2):
        made = note(me, ms=i)
        store.add(made, dedup_key=made.id)
    items, after = store.page(me, limit=2, after=None)
    assert len(items) == 2 and after is not None
    assert store.page(me, limit=2, after=after) == ([], None)


def test_an_endpoint_set_on_a_device_removed_meanwhile_leaves_it_removed(store):
    # A push to a dead token removes the device while another push of the same user sets its endpoint: the
    # device stays gone and the user's devices still read.
    me = user()
    phone = Device(user_id=me, platform="ios", token="tok-a")
    store.add_device(phone)
    store.remove_device(phone)
    store.set_endpoint(phone, "arn:push:late")
    assert store.devices(me) == []
