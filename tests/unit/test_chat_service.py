"""The chat use cases on fakes: what each participant's sockets receive, what is stored, who is told offline,
and who may connect and send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gigcore.adapters.jwt_tokens import JwtAccessTokens
from gigcore.domain.chat import Connection, Conversation
from gigcore.domain.contracts import Contract
from gigcore.domain.errors import (
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
    ValidationError,
)
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.money import Money
from gigcore.domain.users import Principal, User
from gigcore.ports.auth import RefreshRecord
from gigcore.services import chat
from gigcore.services.chat import ChatPolicy, ChatPorts
from tests.fake_chat import FakeChatStore, FakeConnectionStore, FakeObjectStore
from tests.fakes import FakeLimiter, FakeNotifier, FakeQueue, FakeRefreshTokens, FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POLICY = ChatPolicy(messages_per_window=3)


class Known:
    """Gigs or contracts that exist (chat only reads them)."""

    def __init__(self, *items: Gig | Contract) -> None:
        self.by_id = {i.id: i for i in items}

    def get(self, item_id: str) -> object:
        return self.by_id.get(item_id)


GIG = Gig(id="G1", owner_id="UA", title="Tiles", description="d", category="home", skills=(),
          budget=Budget(Money(amount=100, currency="EUR"), Money(amount=200, currency="EUR"), "fixed"),
          location=None, remote=True, urgency="low", deadline=None, status="open", created_at=NOW, updated_at=NOW)
CONTRACT = Contract(id="K1", gig_id="G1", application_id="A1", client_id="UA", freelancer_id="UB", currency="EUR",
                    status="active", created_at=NOW, updated_at=NOW)


@pytest.fixture
def ports() -> ChatPorts:
    users = FakeUsers()
    for uid in ("UA", "UB", "UC"):
        users.add(User(id=uid, email=f"{uid}@example.com", name=uid, roles=("client",), password_hash="h",
                       created_at=NOW))
    return ChatPorts(chats=FakeChatStore(), connections=FakeConnectionStore(), notifier=FakeNotifier(),
                     objects=FakeObjectStore(), queue=FakeQueue(), users=users,
                     access=JwtAccessTokens(b"k" * 32, 900), gigs=Known(GIG), contracts=Known(CONTRACT),  # type: ignore[arg-type]
                     refresh=FakeRefreshTokens(users), limiter=FakeLimiter())


def talk(ports: ChatPorts, *others: str, who: str = "UA") -> Conversation:
    conversation, _ = chat.create_conversation(Principal(who), list(others), gig_id=None, contract_id=None,
                                               ports=ports, now=NOW)
    return conversation


def online(ports: ChatPorts, user_id: str, connection_id: str) -> None:
    ports.connections.add(Connection(connection_id, user_id, 0, 10**10))
    ports.notifier.open(connection_id)  # type: ignore[attr-defined]


def send(ports: ChatPorts, conversation: Conversation, body: str = "hello", *, who: str = "UA",
         client_msg_id: str = "c1", from_connection: str | None = None, now: datetime = NOW,
         attachments: tuple[str, ...] = ()):
    return chat.send_message(Principal(who), conversation.id, body, client_msg_id, attachments, ports=ports,
                             policy=POLICY, now=now, from_connection=from_connection)


def test_a_one_to_one_conversation_is_made_once_per_pair_and_subject(ports):
    first, created = chat.create_conversation(Principal("UA"), ["UB"], gig_id=None, contract_id=None, ports=ports,
                                              now=NOW)
    again, created_again = chat.create_conversation(Principal("UB"), ["UA"], gig_id=None, contract_id=None,
                                                    ports=ports, now=NOW)
    assert created and not created_again and again.id == first.id
    assert first.participant_ids == ("UA", "UB")


def test_a_conversation_needs_someone_else_who_exists(ports):
    with pytest.raises(ValidationError) as alone:
        chat.create_conversation(Principal("UA"), ["UA"], gig_id=None, contract_id=None, ports=ports, now=NOW)
    assert alone.value.details[0].field == "participant_ids"
    with pytest.raises(ValidationError) as unknown:
        chat.create_conversation(Principal("UA"), ["U-NONE"], gig_id=None, contract_id=None, ports=ports, now=NOW)
    assert unknown.value.details[0].issue == "unknown user U-NONE"


def test_a_conversation_about_a_contract_or_a_gig_is_between_the_right_people(ports):
    with pytest.raises(NotFoundError):
        chat.create_conversation(Principal("UA"), ["UB"], gig_id=None, contract_id="K-NONE", ports=ports, now=NOW)
    with pytest.raises(ForbiddenError):
        chat.create_conversation(Principal("UA"), ["UC"], gig_id=None, contract_id="K1", ports=ports, now=NOW)
    with pytest.raises(ForbiddenError):  # the gig's owner (UA) is not in it
        chat.create_conversation(Principal("UB"), ["UC"], gig_id="G1", contract_id=None, ports=ports, now=NOW)
    conversation, _ = chat.create_conversation(Principal("UB"), ["UA"], gig_id="G1", contract_id="K1", ports=ports,
                                               now=NOW)
    assert (conversation.gig_id, conversation.contract_id) == ("G1", "K1")


def test_a_message_is_acknowledged_to_its_socket_and_delivered_to_every_other_one(ports):
    conversation = talk(ports, "UB")
    online(ports, "UA", "A-phone")
    online(ports, "UA", "A-laptop")
    online(ports, "UB", "B-phone")
    message = send(ports, conversation, from_connection="A-phone")
    [ack] = ports.notifier.frames("A-phone")
    assert ack["type"] == "ack" and ack["client_msg_id"] == "c1" and ack["message"]["id"] == message.id
    for other in ("A-laptop", "B-phone"):
        [frame] = ports.notifier.frames(other)
        assert frame["type"] == "message" and frame["message"]["body"] == "hello"
    assert ports.queue.sent == []  # everyone is online
    assert [m.id for m in chat.history(Principal("UB"), conversation.id, limit=10, before=None, ports=ports)] == [
        message.id]
    membership = ports.chats.membership(conversation.id, "UB")
    assert membership is not None and membership.unread_count == 1


def test_a_retried_send_stores_and_delivers_one_message(ports):
    conversation = talk(ports, "UB")
    online(ports, "UB", "B-phone")
    first = send(ports, conversation)
    again = send(ports, conversation, "hello (retry)")
    assert again == first
    assert len(ports.notifier.frames("B-phone")) == 1
    assert len(chat.history(Principal("UA"), conversation.id, limit=10, before=None, ports=ports)) == 1


def test_an_offline_participant_is_notified_once_per_quiet_period(ports):
    conversation = talk(ports, "UB")
    send(ports, conversation, "one", client_msg_id="c1")
    send(ports, conversation, "two", client_msg_id="c2", now=NOW + timedelta(seconds=5))
    send(ports, conversation, "three", client_msg_id="c3", now=NOW + timedelta(seconds=POLICY.quiet_seconds))
    sent = ports.queue.bodies("notifications")
    assert [(m["type"], m["payload"]["user_id"], m["payload"]["preview"]) for m in sent] == [
        (chat.MESSAGE_RECEIVED, "UB", "one"), (chat.MESSAGE_RECEIVED, "UB", "three")]


def test_a_gone_connection_is_forgotten_and_presence_follows(ports):
    conversation = talk(ports, "UB")
    online(ports, "UA", "A-phone")
    online(ports, "UB", "B-gone")
    ports.notifier.gone.add("B-gone")
    send(ports, conversation, who="UA")
    assert ports.connections.count("UB") == 0
    assert {"type": "presence", "user_id": "UB", "online": False} in ports.notifier.frames("A-phone")


def test_an_empty_message_or_one_over_the_rate_is_refused_and_stores_nothing(ports):
    conversation = talk(ports, "UB")
    with pytest.raises(ValidationError):
        send(ports, conversation, "   ")
    for n in range(POLICY.messages_per_window):
        send(ports, conversation, client_msg_id=f"c{n}")
    with pytest.raises(RateLimitedError):
        send(ports, conversation, client_msg_id="c-over")
    assert len(chat.history(Principal("UA"), conversation.id, limit=10, before=None,
                            ports=ports)) == POLICY.messages_per_window


def test_only_participants_use_a_conversation(ports):
    conversation = talk(ports, "UB")
    with pytest.raises(ForbiddenError):
        chat.history(Principal("UC"), conversation.id, limit=10, before=None, ports=ports)
    with pytest.raises(ForbiddenError):
        send(ports, conversation, who="UC")
    with pytest.raises(NotFoundError):
        chat.history(Principal("UA"), "CONV-NONE", limit=10, before=None, ports=ports)


def test_an_attachment_must_have_been_uploaded_as_announced(ports):
    conversation = talk(ports, "UB")
    key, url, expires = chat.request_upload(Principal("UA"), conversation.id, "my plan.pdf", "application/pdf", 1000,
                                            ports=ports, policy=POLICY)
    assert key.endswith("/my_plan.pdf") and url and expires == POLICY.upload_expires_in
    with pytest.raises(ValidationError) as missing:
        send(ports, conversation, "see", attachments=(key,))
    assert missing.value.details[0].field == "attachment_keys.0"
    ports.objects.upload(key, 1000, "application/pdf")
    message = send(ports, conversation, "see", attachments=(key,))
    assert [(a.filename, a.size) for a in message.attachments] == [("my plan.pdf", 1000)]
    with pytest.raises(ValidationError):
        chat.request_upload(Principal("UA"), conversation.id, "run.exe", "application/x-msdownload", 10, ports=ports,
                            policy=POLICY)


def test_a_receipt_must_name_a_message_and_tells_the_others(ports):
    conversation = talk(ports, "UB")
    message = send(ports, conversation)
    online(ports, "UA", "A-phone")
    with pytest.raises(ValidationError):
        chat.mark_read(Principal("UB"), conversation.id, "01NOTAMESSAGE0000000000000", ports=ports, now=NOW)
    chat.mark_read(Principal("UB"), conversation.id, message.id, ports=ports, now=NOW)
    membership = ports.chats.membership(conversation.id, "UB")
    assert membership is not None and (membership.unread_count, membership.last_read_message_id) == (0, message.id)
    assert ports.notifier.frames("A-phone") == [{"type": "read", "conversation_id": conversation.id,
                                                 "user_id": "UB", "up_to_message_id": message.id}]


def signed_in(ports: ChatPorts, user_id: str) -> tuple[str, RefreshRecord]:
    user = ports.users.get(user_id)
    assert user is not None
    family = RefreshRecord(token_hash=f"h-{user_id}", user_id=user_id, family_id=f"F-{user_id}", generation=0,
                           spent=False, expires_at=10**10)
    ports.refresh.put(family)
    token, _ = ports.access.issue(user, NOW, session_id=family.family_id)
    return token, family


def test_a_connection_needs_a_valid_token_of_an_open_session(ports):
    with pytest.raises(UnauthorizedError):
        chat.connect(None, "X1", ports=ports, now=NOW)
    with pytest.raises(UnauthorizedError):
        chat.connect("not-a-token", "X1", ports=ports, now=NOW)
    token, family = signed_in(ports, "UB")
    ports.refresh.revoke_family(family.family_id)
    with pytest.raises(UnauthorizedError):
        chat.connect(token, "X1", ports=ports, now=NOW)
    assert ports.connections.get("X1") is None


def test_the_first_connection_tells_the_conversation_partners(ports):
    talk(ports, "UB")
    online(ports, "UA", "A-phone")
    token, _ = signed_in(ports, "UB")
    assert chat.connect(token, "B-new", ports=ports, now=NOW) == "UB"
    assert ports.notifier.frames("A-phone") == [{"type": "presence", "user_id": "UB", "online": True}]
    chat.disconnect("B-new", ports=ports)
    assert ports.notifier.frames("A-phone")[-1] == {"type": "presence", "user_id": "UB", "online": False}


def test_frames_of_a_closed_session_or_an_expired_token_are_refused(ports):
    token, family = signed_in(ports, "UB")
    chat.connect(token, "B-1", ports=ports, now=NOW)
    assert chat.authorise_frame("B-1", ports=ports, policy=POLICY, now=NOW).user_id == "UB"
    ports.refresh.revoke_family(family.family_id)
    later = NOW + timedelta(seconds=POLICY.session_check_seconds + 1)
    with pytest.raises(UnauthorizedError):
        chat.authorise_frame("B-1", ports=ports, policy=POLICY, now=later)
    with pytest.raises(UnauthorizedError):
        chat.authorise_frame("B-NONE", ports=ports, policy=POLICY, now=NOW)
    fresh, _ = signed_in(ports, "UC")
    chat.connect(fresh, "C-1", ports=ports, now=NOW)
    with pytest.raises(UnauthorizedError):
        chat.authorise_frame("C-1", ports=ports, policy=POLICY, now=NOW + timedelta(seconds=901))


def test_the_sweep_closes_connections_past_their_token(ports):
    token, _ = signed_in(ports, "UB")
    chat.connect(token, "B-1", ports=ports, now=NOW)
    assert chat.sweep_stale_connections(ports=ports, now=NOW + timedelta(seconds=60)) == 0
    assert chat.sweep_stale_connections(ports=ports, now=NOW + timedelta(seconds=901)) == 1
    assert ports.notifier.closed == ["B-1"] and ports.connections.get("B-1") is None


def test_the_inbox_shows_the_latest_activity_first_with_each_unread_count(ports):
    older, newer = talk(ports, "UB"), talk(ports, "UC")
    send(ports, older, "late news", who="UB", now=NOW + timedelta(minutes=5))
    page, after = chat.inbox(Principal("UA"), limit=10, after=None, ports=ports)
    assert [(c.id, m.unread_count) for c, m in page] == [(older.id, 1), (newer.id, 0)] and after is None
    first, after = chat.inbox(Principal("UA"), limit=1, after=None, ports=ports)
    rest, _ = chat.inbox(Principal("UA"), limit=1, after=after, ports=ports)
    assert [c.id for c, _ in first + rest] == [older.id, newer.id]
