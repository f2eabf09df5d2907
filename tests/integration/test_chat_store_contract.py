"""The ``ChatStore`` contract, run against the DynamoDB store (on DynamoDB Local) and the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gigcore.domain.chat import Attachment, Conversation, Message, pair_key
from gigcore.domain.ids import new_id
from gigcore.ports.chat import ChatStore
from tests.fake_chat import FakeChatStore

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["dynamodb", "fake"])
def chats(request: pytest.FixtureRequest) -> Iterator[ChatStore]:
    if request.param == "fake":
        yield FakeChatStore()
        return
    settings = request.getfixturevalue("stack_settings")
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_chat import DynamoChatRepository

    yield DynamoChatRepository(bootstrap.container().dynamodb, settings.table_name)


def user() -> str:
    return f"U{uuid.uuid4().hex[:12]}"


def conversation(*people: str, at: datetime = NOW, gig_id: str | None = None) -> Conversation:
    return Conversation(id=new_id(), participant_ids=people, created_at=at, last_activity_at=at, gig_id=gig_id)


def message(conv: Conversation, sender: str, body: str = "hi", *, client_msg_id: str | None = None,
            at: datetime = NOW) -> Message:
    return Message(id=new_id(int(at.timestamp() * 1000)), conversation_id=conv.id, sender_id=sender, body=body,
                   client_msg_id=client_msg_id or uuid.uuid4().hex, created_at=at)


def test_a_conversation_reads_back_and_each_member_has_a_membership(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    assert chats.get_conversation(conv.id) == conv
    assert chats.conversation_for_delivery(conv.id) == conv
    membership = chats.membership(conv.id, b)
    assert membership is not None and (membership.unread_count, membership.last_read_message_id) == (0, None)
    assert chats.membership(conv.id, user()) is None
    assert chats.get_conversation(new_id()) is None


def test_a_pair_and_subject_have_one_conversation(chats):
    a, b = user(), user()
    first = conversation(a, b, gig_id="G1")
    stored = chats.create_conversation(first, pair=pair_key((a, b), "G1", None))
    again = chats.create_conversation(conversation(b, a, gig_id="G1"), pair=pair_key((b, a), "G1", None))
    other_subject = chats.create_conversation(conversation(a, b, gig_id="G2"), pair=pair_key((a, b), "G2", None))
    assert stored.id == again.id == first.id and other_subject.id != first.id


def test_a_message_is_stored_once_per_client_msg_id_of_its_sender(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    sent = message(conv, a, "hello", client_msg_id="c1")
    assert chats.add_message(conv, sent) == (sent, True)
    assert chats.add_message(conv, message(conv, a, "hello again", client_msg_id="c1")) == (sent, False)
    theirs = message(conv, b, "same id, other sender", client_msg_id="c1")
    assert chats.add_message(conv, theirs) == (theirs, True)
    assert chats.message(conv.id, sent.id) == sent
    assert chats.message(conv.id, new_id()) is None


def test_history_is_newest_first_and_strictly_before(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    sent = [message(conv, a, f"m{i}", at=NOW + timedelta(seconds=i)) for i in range(5)]
    for m in sent:
        chats.add_message(conv, m)
    assert [m.body for m in chats.messages(conv.id, limit=2, before=None)] == ["m4", "m3"]
    assert [m.body for m in chats.messages(conv.id, limit=10, before=sent[2].id)] == ["m1", "m0"]
    assert chats.messages(conv.id, limit=10, before=sent[0].id) == []


def test_activity_counts_unread_for_the_others_once_per_message(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    first = message(conv, a, "one", at=NOW + timedelta(seconds=1))
    chats.add_message(conv, first)
    chats.record_activity(conv, first)
    chats.record_activity(conv, first)  # a retried send
    mine, theirs = chats.membership(conv.id, a), chats.membership(conv.id, b)
    assert mine is not None and theirs is not None
    assert (mine.unread_count, theirs.unread_count) == (0, 1)
    stored = chats.get_conversation(conv.id)
    assert stored is not None and stored.last_message == first and stored.last_activity_at == first.created_at


def test_an_older_message_does_not_move_activity_back(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    older = message(conv, a, "older", at=NOW + timedelta(seconds=1))
    newer = message(conv, a, "newer", at=NOW + timedelta(seconds=2))
    for m in (older, newer):
        chats.add_message(conv, m)
    chats.record_activity(conv, newer)
    chats.record_activity(conv, older)
    stored = chats.get_conversation(conv.id)
    theirs = chats.membership(conv.id, b)
    assert stored is not None and stored.last_message == newer
    assert theirs is not None and theirs.unread_count == 1


def test_the_inbox_is_latest_activity_first_with_pages(chats):
    me = user()
    convs = [chats.create_conversation(conversation(me, user(), at=NOW + timedelta(minutes=i)), pair=None)
             for i in range(3)]
    late = message(convs[0], me, "bump", at=NOW + timedelta(minutes=10))
    chats.add_message(convs[0], late)
    chats.record_activity(convs[0], late)
    first, after = chats.conversations_of(me, limit=2, after=None)
    assert [c.id for c, _ in first] == [convs[0].id, convs[2].id] and after is not None
    assert all(m.user_id == me for _, m in first)
    second, after = chats.conversations_of(me, limit=2, after=after)
    assert [c.id for c, _ in second] == [convs[1].id] and after is None
    assert chats.conversations_of(user(), limit=2, after=None) == ([], None)


def test_a_read_position_only_moves_forward_and_clears_the_unread_count(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    sent = [message(conv, a, f"m{i}", at=NOW + timedelta(seconds=i)) for i in range(3)]
    for m in sent:
        chats.add_message(conv, m)
        chats.record_activity(conv, m)
    newest = new_id()
    chats.mark_read(conv.id, b, sent[1].id, newest=newest)
    read = chats.membership(conv.id, b)
    assert read is not None and (read.unread_count, read.last_read_message_id) == (0, sent[1].id)
    chats.mark_read(conv.id, b, sent[0].id, newest=newest)  # an older receipt changes nothing
    read = chats.membership(conv.id, b)
    assert read is not None and read.last_read_message_id == sent[1].id


def test_a_position_beyond_newest_is_replaced(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    sent = message(conv, a)
    chats.add_message(conv, sent)
    future = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
    chats.mark_read(conv.id, b, future, newest=future)
    chats.mark_read(conv.id, b, sent.id, newest=new_id())
    read = chats.membership(conv.id, b)
    assert read is not None and read.last_read_message_id == sent.id


def test_a_receipt_of_someone_who_is_not_a_member_stores_nothing(chats):
    a, b, stranger = user(), user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    chats.mark_read(conv.id, stranger, new_id(), newest=new_id())
    assert chats.membership(conv.id, stranger) is None


def test_attachments_are_kept_per_conversation(chats):
    a, b = user(), user()
    conv = chats.create_conversation(conversation(a, b), pair=None)
    file = Attachment(key=f"conversations/{conv.id}/x/plan.pdf", filename="plan.pdf", content_type="application/pdf",
                      size=1234)
    chats.put_attachment(conv.id, a, file)
    assert chats.attachment(conv.id, file.key) == file
    assert chats.attachment(new_id(), file.key) is None


def test_a_quiet_period_is_claimed_once_per_window(chats):
    me, conv = user(), new_id()
    t = 1_800_000_000
    assert chats.claim_quiet_period(me, conv, 600, t) is True
    assert chats.claim_quiet_period(me, conv, 600, t + 599) is False
    assert chats.claim_quiet_period(me, new_id(), 600, t + 1) is True
    assert chats.claim_quiet_period(me, conv, 600, t + 600) is True
