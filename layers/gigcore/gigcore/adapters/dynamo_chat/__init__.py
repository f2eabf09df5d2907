"""DynamoDB adapters of the chat ports (see docs/data-model.md, patterns C1-C9), by what they store:

- :mod:`.messages`: a conversation's messages (each sent once per ``client_msg_id``) and its attachments;
- :mod:`.conversations`: conversations, each user's memberships (the inbox, unread counts, read receipts) and
  the quiet period of offline notifications;
- :mod:`.connections`: WebSocket connections, by id and by user, and when each must be closed.

What a message costs (docs/scaling.md, "Cost"): no write of the send path is a transaction (a transactional
write counts twice) and no chat item is in a secondary index (an index doubles every write of an item in it,
and moving an item within it is a delete and a put). For a 1:1 conversation, a text message of up to ~500
bytes writes 5 items of under 1 KB (plus the sender's rate-limit bucket, elsewhere): the dedup marker, the
message, the conversation's latest message and each participant's membership (activity, unread count).
Each write is conditional and idempotent, so a send retried with the same ``client_msg_id`` after a crash at
any point completes what the first attempt left undone and stores nothing twice.
"""

from __future__ import annotations

from gigcore.adapters.dynamo_chat.connections import CONNECTION_BUCKET_SECONDS, DynamoConnectionRepository
from gigcore.adapters.dynamo_chat.conversations import DynamoConversations
from gigcore.adapters.dynamo_chat.messages import DynamoMessages


class DynamoChatRepository(DynamoConversations, DynamoMessages):
    """The :class:`gigcore.ports.chat.ChatStore` on the main table: conversations and their messages."""


__all__ = ["CONNECTION_BUCKET_SECONDS", "DynamoChatRepository", "DynamoConnectionRepository"]
