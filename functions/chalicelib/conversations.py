"""``/conversations``: the REST side of chat (the socket's fallback, history, uploads, receipts)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import body, json_response, no_content, principal, query_params, route
from gigcore import bootstrap
from gigcore.domain.chat import Conversation, Membership
from gigcore.domain.clock import to_rfc3339, utc_now
from gigcore.schemas.chat import (
    AttachmentRequest,
    ConversationOut,
    ConversationPage,
    CreateConversationRequest,
    HistoryQuery,
    ListQuery,
    MessageOut,
    MessagePage,
    ReadRequest,
    SendMessageRequest,
    UploadOut,
)
from gigcore.services import chat

bp = Blueprint(__name__)


def _ports() -> chat.ChatPorts:
    ports: chat.ChatPorts = bootstrap.container().chat_ports
    return ports


def _policy() -> chat.ChatPolicy:
    policy: chat.ChatPolicy = bootstrap.container().chat_policy
    return policy


def _conversation_out(conversation: Conversation, membership: Membership | None) -> ConversationOut:
    last = conversation.last_message
    return ConversationOut(
        id=conversation.id, participant_ids=list(conversation.participant_ids), gig_id=conversation.gig_id,
        contract_id=conversation.contract_id, created_at=to_rfc3339(conversation.created_at),
        last_activity_at=to_rfc3339(conversation.last_activity_at),
        unread_count=membership.unread_count if membership else 0,
        last_message=MessageOut.model_validate(chat.message_frame(last, _ports().objects, _policy())) if last else None,
    )


@route(bp, "/conversations", method="POST", summary="Start (or find) a conversation",
       request=CreateConversationRequest, response=ConversationOut, status=201, errors=(403, 404, 422), tag="chat",
       provides={"conversation_id": "$response.body#/id"})
def create() -> Response:
    cmd = body(CreateConversationRequest)
    conversation, created = chat.create_conversation(principal(), cmd.participant_ids, gig_id=cmd.gig_id,
                                                     contract_id=cmd.contract_id, ports=_ports(), now=utc_now())
    return json_response(_conversation_out(conversation, None), 201 if created else 200)


@route(bp, "/conversations", summary="My conversations, latest activity first", response=ConversationPage,
       query_model=ListQuery, errors=(400, 422), tag="chat")
def mine() -> ConversationPage:
    query = ListQuery.model_validate(query_params())
    container = bootstrap.container()
    caller = principal()
    scope = {"path": "/conversations", "user": caller.user_id}
    after = container.cursors.decode(query.cursor, scope="/conversations", params=scope)["after"] if query.cursor \
        else None
    pairs, next_after = chat.inbox(caller, limit=query.limit, after=after, ports=_ports())
    cursor = container.cursors.encode({"after": next_after}, scope="/conversations", params=scope) \
        if next_after else None
    return ConversationPage(items=[_conversation_out(c, m) for c, m in pairs], next_cursor=cursor)


@route(bp, "/conversations/{conversation_id}/messages", summary="History, newest first", response=MessagePage,
       query_model=HistoryQuery, errors=(400, 403, 404, 422), tag="chat")
def messages(conversation_id: str) -> MessagePage:
    query = HistoryQuery.model_validate(query_params())
    container = bootstrap.container()
    scope = f"/conversations/{conversation_id}/messages"
    before = container.cursors.decode(query.before, scope=scope, params={})["before"] if query.before else None
    found = chat.history(principal(), conversation_id, limit=query.limit, before=before, ports=_ports())
    cursor = container.cursors.encode({"before": found[-1].id}, scope=scope, params={}) \
        if len(found) == query.limit else None
    items = [MessageOut.model_validate(chat.message_frame(m, _ports().objects, _policy())) for m in found]
    return MessagePage(items=items, next_cursor=cursor)


@route(bp, "/conversations/{conversation_id}/messages", method="POST", summary="Send a message (REST fallback)",
       request=SendMessageRequest, response=MessageOut, status=201, errors=(403, 404, 429), tag="chat")
def send(conversation_id: str) -> Response:
    cmd = body(SendMessageRequest)
    message = chat.send_message(principal(), conversation_id, cmd.body, cmd.client_msg_id, cmd.attachment_keys,
                                ports=_ports(), policy=_policy(), now=utc_now())
    return json_response(MessageOut.model_validate(chat.message_frame(message, _ports().objects, _policy())), 201)


@route(bp, "/conversations/{conversation_id}/attachments", method="POST", summary="Get an upload URL",
       request=AttachmentRequest, response=UploadOut, status=201, errors=(403, 404), tag="chat")
def upload(conversation_id: str) -> Response:
    cmd = body(AttachmentRequest)
    key, url, expires = chat.request_upload(principal(), conversation_id, cmd.filename, cmd.content_type, cmd.size,
                                            ports=_ports(), policy=_policy())
    return json_response(UploadOut(attachment_key=key, upload_url=url, expires_in=expires), 201)


@route(bp, "/conversations/{conversation_id}/read", method="POST", summary="Mark read up to a message",
       request=ReadRequest, status=204, errors=(403, 404, 422), tag="chat")
def read(conversation_id: str) -> Response:
    cmd = body(ReadRequest)
    chat.mark_read(principal(), conversation_id, cmd.up_to_message_id, ports=_ports(), now=utc_now())
    return no_content()
