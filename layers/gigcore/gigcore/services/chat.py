"""Conversations and real-time chat.

Messages are stored before anything is acknowledged; a repeated ``client_msg_id`` from the same sender
stores one message (and is acknowledged again). Delivery posts to every open connection of every
participant (the sender's other devices included); a connection that is gone is removed, and only that
one. A participant with no open connection gets one ``message.received`` notification per conversation
per quiet period, through the notifications queue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gigcore.domain.chat import (
    Attachment,
    Connection,
    Conversation,
    Membership,
    Message,
    check_attachment,
    pair_key,
    safe_filename,
)
from gigcore.domain.clock import to_rfc3339
from gigcore.domain.errors import (
    ErrorDetail,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
    UpstreamUnavailableError,
    ValidationError,
)
from gigcore.domain.ids import is_id, last_id_of, new_id
from gigcore.domain.users import Principal
from gigcore.ports import ConnectionNotifier, Queue
from gigcore.ports.auth import AccessTokens, RateLimiter, RefreshTokenStore, UserRepository
from gigcore.ports.chat import ChatStore, ConnectionStore, ObjectStore
from gigcore.ports.contracts import ContractReader
from gigcore.ports.gigs import GigReader

MESSAGE_RECEIVED = "message.received"
CONNECTION_LIFETIME_SECONDS = 2 * 3600  # API Gateway closes a WebSocket after two hours
#: Shared by the requests of a process: connection look-ups and posts run in parallel.
_DELIVERY = ThreadPoolExecutor(max_workers=16, thread_name_prefix="gigconnect-delivery")


@dataclass(frozen=True)
class ChatPolicy:
    quiet_seconds: int = 600
    upload_expires_in: int = 900
    download_expires_in: int = 3600
    #: Messages a user may send per ``messages_window_seconds`` (all devices and REST together): a burst of
    #: that many, refilled evenly over the window.
    messages_per_window: int = 20
    messages_window_seconds: int = 10
    #: How long an instance trusts that a connection's session is still open before it reads it again.
    session_check_seconds: float = 5.0


@dataclass(frozen=True)
class ChatPorts:
    chats: ChatStore
    connections: ConnectionStore
    notifier: ConnectionNotifier
    objects: ObjectStore
    queue: Queue
    users: UserRepository
    access: AccessTokens
    gigs: GigReader
    contracts: ContractReader
    refresh: RefreshTokenStore
    limiter: RateLimiter


def message_frame(message: Message, objects: ObjectStore, policy: ChatPolicy) -> dict[str, Any]:
    return {
        "id": message.id, "conversation_id": message.conversation_id, "sender_id": message.sender_id,
        "body": message.body, "client_msg_id": message.client_msg_id, "created_at": to_rfc3339(message.created_at),
        "attachments": [{"key": a.key, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "download_url": objects.presign_get(a.key, policy.download_expires_in)}
                        for a in message.attachments],
    }


def _conversation(ports: ChatPorts, principal: Principal, conversation_id: str, *,
                  fresh: bool = True) -> Conversation:
    get = ports.chats.get_conversation if fresh else ports.chats.conversation_for_delivery
    conversation = get(conversation_id)
    if conversation is None:
        raise NotFoundError("The conversation does not exist.")
    if not conversation.has(principal.user_id):
        raise ForbiddenError("Only participants may use this conversation.")
    return conversation


def create_conversation(principal: Principal, participant_ids: Sequence[str], *, gig_id: str | None,
                        contract_id: str | None, ports: ChatPorts, now: datetime) -> tuple[Conversation, bool]:
    """A new conversation with the caller and ``participant_ids``; a 1:1 that exists for the same pair and
    subject is returned instead (created = False)."""
    participants = tuple(dict.fromkeys([principal.user_id, *participant_ids]))
    if len(participants) < 2:
        raise ValidationError("A conversation needs someone else.",
                              details=[ErrorDetail(field="participant_ids", issue="must name another user")])
    for user_id in participants[1:]:
        if ports.users.get(user_id) is None:
            raise ValidationError("A participant does not exist.",
                                  details=[ErrorDetail(field="participant_ids", issue=f"unknown user {user_id}")])
    _check_subject(participants, gig_id=gig_id, contract_id=contract_id, ports=ports)
    pair = pair_key(participants, gig_id, contract_id) if len(participants) == 2 else None
    conversation = Conversation(id=new_id(), participant_ids=participants, created_at=now, last_activity_at=now,
                                gig_id=gig_id, contract_id=contract_id)
    stored = ports.chats.create_conversation(conversation, pair=pair)
    return stored, stored.id == conversation.id


def _check_subject(participants: Sequence[str], *, gig_id: str | None, contract_id: str | None,
                   ports: ChatPorts) -> None:
    """A conversation about a contract is between its parties; one about a gig includes the gig's owner (a
    freelancer asking the client, or the client contacting an applicant). :class:`NotFoundError` for an
    unknown subject, :class:`ForbiddenError` when the participants are not the ones it allows."""
    if contract_id is not None:
        contract = ports.contracts.get(contract_id)
        if contract is None:
            raise NotFoundError("The contract does not exist.")
        if any(contract.party(user_id) is None for user_id in participants):
            raise ForbiddenError("A conversation about a contract is between its parties.")
        if gig_id is not None and gig_id != contract.gig_id:
            raise ValidationError("The gig is not the contract's gig.",
                                  details=[ErrorDetail(field="gig_id", issue="not the gig of contract_id")])
    if gig_id is not None:
        gig = ports.gigs.get(gig_id)
        if gig is None:
            raise NotFoundError("The gig does not exist.")
        if gig.owner_id not in participants:
            raise ForbiddenError("A conversation about a gig includes the gig's owner.")


def inbox(principal: Principal, *, limit: int, after: str | None, ports: ChatPorts) -> tuple[
        list[tuple[Conversation, Membership]], str | None]:
    """The caller's conversations with their membership (unread count, read position), latest activity first,
    and where the next page starts (None at the end)."""
    return ports.chats.conversations_of(principal.user_id, limit=limit, after=after)


def history(principal: Principal, conversation_id: str, *, limit: int, before: str | None,
            ports: ChatPorts) -> list[Message]:
    _conversation(ports, principal, conversation_id)
    return ports.chats.messages(conversation_id, limit=limit, before=before)


def request_upload(principal: Principal, conversation_id: str, filename: str, content_type: str, size: int, *,
                   ports: ChatPorts, policy: ChatPolicy) -> tuple[str, str, int]:
    """(attachment_key, presigned PUT url, expires_in) for one file, scoped to the conversation."""
    _conversation(ports, principal, conversation_id)
    check_attachment(filename, content_type, size)
    key = f"conversations/{conversation_id}/{new_id()}/{safe_filename(filename)}"
    ports.chats.put_attachment(conversation_id, principal.user_id, Attachment(key, filename, content_type, size))
    return key, ports.objects.presign_put(key, content_type, size, policy.upload_expires_in), policy.upload_expires_in


def _attachments(ports: ChatPorts, conversation_id: str, keys: Sequence[str]) -> tuple[Attachment, ...]:
    found = []
    for index, key in enumerate(dict.fromkeys(keys)):
        attachment = ports.chats.attachment(conversation_id, key)
        uploaded = ports.objects.head(key) if attachment else None
        # moto does not enforce the presigned size or type, so the project checks what arrived.
        if attachment is None or uploaded is None or uploaded != (attachment.size, attachment.content_type):
            raise ValidationError("An attachment was not uploaded to this conversation.",
                                  details=[ErrorDetail(field=f"attachment_keys.{index}", issue="not uploaded here")])
        found.append(attachment)
    return tuple(found)


def send_message(principal: Principal, conversation_id: str, body: str, client_msg_id: str,
                 attachment_keys: Sequence[str], *, ports: ChatPorts, policy: ChatPolicy, now: datetime,
                 from_connection: str | None = None) -> Message:
    conversation = _conversation(ports, principal, conversation_id, fresh=False)
    if not body.strip() and not attachment_keys:
        raise ValidationError("A message needs a body or an attachment.",
                              details=[ErrorDetail(field="body", issue="required")])
    # Per user, whatever the device or path: RateLimitedError (429 / an error frame) before anything is stored.
    ports.limiter.take("chat-send", principal.user_id, capacity=policy.messages_per_window,
                       per_seconds=policy.messages_window_seconds, now=now.timestamp())
    message = Message(id=new_id(), conversation_id=conversation_id, sender_id=principal.user_id, body=body,
                      client_msg_id=client_msg_id, created_at=now,
                      attachments=_attachments(ports, conversation_id, attachment_keys))
    # Who is connected is looked up while the message is being stored: both are on the latency path.
    lookup = _DELIVERY.submit(ports.connections.of_users, conversation.participant_ids)
    stored, new = ports.chats.add_message(conversation, message)
    frame = message_frame(stored, ports.objects, policy)
    if from_connection is not None:
        _post(ports, {from_connection: principal.user_id}, {"type": "ack", "client_msg_id": client_msg_id,
                                                               "message": frame})
    connections = lookup.result()
    if new:
        targets = {cid: user for user, ids in connections.items() for cid in ids if cid != from_connection}
        _post(ports, targets, {"type": "message", "message": frame})
        for user_id in conversation.others(principal.user_id):
            if not connections.get(user_id):
                _notify_offline(ports, policy, user_id, conversation, stored, now)
    # After delivery, off the latency path; idempotent, so a retried send (same client_msg_id) completes it.
    ports.chats.record_activity(conversation, stored)
    return stored


def _notify_offline(ports: ChatPorts, policy: ChatPolicy, user_id: str, conversation: Conversation,
                    message: Message, now: datetime) -> None:
    if not ports.chats.claim_quiet_period(user_id, conversation.id, policy.quiet_seconds, int(now.timestamp())):
        return
    ports.queue.send("notifications", {"id": f"{MESSAGE_RECEIVED}:{message.id}:{user_id}", "type": MESSAGE_RECEIVED,
                                       "payload": {"user_id": user_id, "conversation_id": conversation.id,
                                                   "message_id": message.id, "sender_id": message.sender_id,
                                                   "preview": message.body[:120]}})


def _post(ports: ChatPorts, targets: Mapping[str, str], frame: Mapping[str, Any]) -> None:
    """Send to each connection, in parallel; a gone one is removed (only that one), and presence follows."""
    if not targets:
        return
    items = list(targets.items())
    if len(items) == 1:
        delivered = [ports.notifier.post(items[0][0], frame)]
    else:
        delivered = list(_DELIVERY.map(lambda target: ports.notifier.post(target[0], frame), items))
    for (connection_id, user_id), ok in zip(items, delivered, strict=True):
        if not ok:
            ports.connections.remove(connection_id)
            if ports.connections.count(user_id) == 0:
                broadcast_presence(user_id, False, ports=ports)


def typing(principal: Principal, conversation_id: str, *, ports: ChatPorts, from_connection: str | None) -> None:
    conversation = _conversation(ports, principal, conversation_id, fresh=False)
    _to_others(ports, conversation, principal.user_id, {"type": "typing", "conversation_id": conversation_id,
                                                        "user_id": principal.user_id})


def mark_read(principal: Principal, conversation_id: str, up_to_message_id: str, *, ports: ChatPorts,
              now: datetime) -> None:
    """Move the caller's read position to a message of the conversation; :class:`ValidationError` for an id
    that is not one (a receipt "from the future" would otherwise hold the position and the unread count)."""
    conversation = _conversation(ports, principal, conversation_id, fresh=False)
    if not is_id(up_to_message_id) or ports.chats.message(conversation_id, up_to_message_id) is None:
        raise ValidationError("The receipt must name a message of this conversation.", details=[
            ErrorDetail(field="up_to_message_id", issue="not a message of this conversation")])
    # Slack for clocks a little apart: ids are made by whichever instance stored the message.
    newest = last_id_of(int(now.timestamp() * 1000) + 60_000)
    ports.chats.mark_read(conversation_id, principal.user_id, up_to_message_id, newest=newest)
    _to_others(ports, conversation, principal.user_id, {"type": "read", "conversation_id": conversation_id,
                                                        "user_id": principal.user_id,
                                                        "up_to_message_id": up_to_message_id})


def _to_others(ports: ChatPorts, conversation: Conversation, user_id: str, frame: Mapping[str, Any]) -> None:
    connections = ports.connections.of_users(conversation.others(user_id))
    _post(ports, {cid: user for user, ids in connections.items() for cid in ids}, frame)


def broadcast_presence(user_id: str, online: bool, *, ports: ChatPorts) -> None:
    """Tell everyone who shares a conversation with ``user_id`` (up to 100 of its latest)."""
    pairs, _ = ports.chats.conversations_of(user_id, limit=100, after=None)
    others = {p for conversation, _ in pairs for p in conversation.others(user_id)}
    if not others:
        return
    connections = ports.connections.of_users(sorted(others))
    _post(ports, {cid: user for user, ids in connections.items() for cid in ids},
          {"type": "presence", "user_id": user_id, "online": online})


def connect(token: str | None, connection_id: str, *, ports: ChatPorts, now: datetime) -> str:
    """Register a connection for a valid access token of an open session; :class:`UnauthorizedError`
    otherwise. The token's expiry and session are stored with the connection: every frame is checked
    against them (:func:`authorise_frame`)."""
    if not token:
        raise UnauthorizedError("Connect with ?token=<access_token>.")
    grant = ports.access.grant(token, now)
    user_id = grant.principal.user_id
    if not ports.refresh.session_open(user_id, grant.session_id, grant.generation):
        raise UnauthorizedError("The session of this access token has ended.")
    moment = int(now.timestamp())
    count = ports.connections.add(Connection(connection_id, user_id, moment, moment + CONNECTION_LIFETIME_SECONDS,
                                             token_expires_at=grant.expires_at, session_id=grant.session_id,
                                             generation=grant.generation))
    _SESSION_SEEN_OPEN[connection_id] = now.timestamp()
    if count == 1:
        broadcast_presence(user_id, True, ports=ports)
    return user_id


def disconnect(connection_id: str, *, ports: ChatPorts) -> None:
    _SESSION_SEEN_OPEN.pop(connection_id, None)
    gone = ports.connections.remove(connection_id)
    if gone is not None and ports.connections.count(gone.user_id) == 0:
        broadcast_presence(gone.user_id, False, ports=ports)


#: Connection id -> when (epoch seconds) this instance last saw its session open. Bounded; a miss costs one read.
_SESSION_SEEN_OPEN: dict[str, float] = {}
_SESSION_SEEN_MAX = 10_000


def authorise_frame(connection_id: str, *, ports: ChatPorts, policy: ChatPolicy, now: datetime) -> Principal:
    """The caller of a frame. :class:`UnauthorizedError` when the connection is unknown, its access token has
    expired since ``$connect``, or its session was closed (logout, a password reset, a reused refresh token);
    the caller then closes the connection (:func:`end_connection`).

    Costs no read while the session was seen open in the last ``policy.session_check_seconds`` (the
    connection itself is cached per instance), else one (``RefreshTokenStore.session_open``)."""
    connection = ports.connections.get(connection_id)
    if connection is None:
        raise UnauthorizedError("This connection is not signed in.")
    if connection.token_expires_at is not None and connection.token_expires_at <= int(now.timestamp()):
        raise UnauthorizedError("The access token of this connection has expired; connect again with a new one.")
    seen = _SESSION_SEEN_OPEN.get(connection_id)
    if seen is None or not 0 <= now.timestamp() - seen < policy.session_check_seconds:
        if not ports.refresh.session_open(connection.user_id, connection.session_id, connection.generation):
            _SESSION_SEEN_OPEN.pop(connection_id, None)
            raise UnauthorizedError("The session of this connection has ended; sign in again.")
        if len(_SESSION_SEEN_OPEN) >= _SESSION_SEEN_MAX:
            _SESSION_SEEN_OPEN.pop(next(iter(_SESSION_SEEN_OPEN)))
        _SESSION_SEEN_OPEN[connection_id] = now.timestamp()
    return Principal(user_id=connection.user_id)


def end_connection(connection_id: str, *, ports: ChatPorts) -> None:
    """Forget a connection and close it from the server side (presence follows). Forgotten first: should the
    close fail (the management API unavailable), the connection's next frame is refused again."""
    disconnect(connection_id, ports=ports)
    with contextlib.suppress(UpstreamUnavailableError):
        ports.notifier.close(connection_id)


def sweep_stale_connections(*, ports: ChatPorts, now: datetime, limit: int = 500) -> int:
    """Close and forget connections past their lifetime or their access token's expiry: a socket that sends
    nothing is not checked by :func:`authorise_frame` (TTL is not relied on: DynamoDB Local ignores it)."""
    stale = ports.connections.expired(int(now.timestamp()), limit)
    for connection in stale:
        ports.notifier.close(connection.id)
        disconnect(connection.id, ports=ports)
    return len(stale)


OnFrame = Callable[[str, dict[str, Any]], None]
