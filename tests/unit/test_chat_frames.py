"""Each WebSocket frame is checked against its connection's token expiry and session (issue 16 item 11):
what it costs, and what a closed session or an expired token gets. The socket itself: tests/e2e/test_chat_ws.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gigcore.domain.chat import Connection
from gigcore.domain.errors import UnauthorizedError
from gigcore.services import chat

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
POLICY = chat.ChatPolicy(session_check_seconds=5)


class Connections:
    def __init__(self, *connections: Connection) -> None:
        self.by_id = {c.id: c for c in connections}

    def get(self, connection_id: str) -> Connection | None:
        return self.by_id.get(connection_id)


class Sessions:
    def __init__(self) -> None:
        self.revoked: set[str] = set()
        self.reads = 0

    def session_open(self, user_id: str, family_id: str | None, generation: int) -> bool:
        self.reads += 1
        return family_id not in self.revoked


def ports(connections: Connections, sessions: Sessions) -> Any:
    return chat.ChatPorts(chats=None, connections=connections, notifier=None, objects=None, queue=None,  # type: ignore[arg-type]
                          users=None, access=None, gigs=None, contracts=None, refresh=sessions,  # type: ignore[arg-type]
                          limiter=None)  # type: ignore[arg-type]


def connection(connection_id: str, token_expires_in: int = 900) -> Connection:
    at = int(NOW.timestamp())
    return Connection(connection_id, "u1", at, at + 7200, token_expires_at=at + token_expires_in,
                      session_id="family-1", generation=0)


def test_the_session_is_read_at_most_once_per_check_interval():
    sessions = Sessions()
    wired = ports(Connections(connection("c-interval")), sessions)
    for seconds in (0, 1, 4.9):
        who = chat.authorise_frame("c-interval", ports=wired, policy=POLICY, now=NOW + timedelta(seconds=seconds))
        assert who.user_id == "u1"
    assert sessions.reads == 1
    chat.authorise_frame("c-interval", ports=wired, policy=POLICY, now=NOW + timedelta(seconds=5))
    assert sessions.reads == 2


def test_a_closed_session_is_refused_once_the_interval_has_passed():
    sessions = Sessions()
    wired = ports(Connections(connection("c-logout")), sessions)
    chat.authorise_frame("c-logout", ports=wired, policy=POLICY, now=NOW)
    sessions.revoked.add("family-1")  # logout
    with pytest.raises(UnauthorizedError):
        chat.authorise_frame("c-logout", ports=wired, policy=POLICY, now=NOW + timedelta(seconds=5))
    with pytest.raises(UnauthorizedError):  # and stays refused
        chat.authorise_frame("c-logout", ports=wired, policy=POLICY, now=NOW + timedelta(seconds=5.1))


def test_an_expired_token_is_refused_without_any_read():
    sessions = Sessions()
    wired = ports(Connections(connection("c-expired", token_expires_in=60)), sessions)
    chat.authorise_frame("c-expired", ports=wired, policy=POLICY, now=NOW)
    reads = sessions.reads
    with pytest.raises(UnauthorizedError, match="expired"):
        chat.authorise_frame("c-expired", ports=wired, policy=POLICY, now=NOW + timedelta(seconds=60))
    assert sessions.reads == reads


def test_with_no_interval_every_frame_reads_the_session():
    sessions = Sessions()
    wired = ports(Connections(connection("c-every")), sessions)
    for _ in range(3):
        chat.authorise_frame("c-every", ports=wired, policy=chat.ChatPolicy(session_check_seconds=0), now=NOW)
    assert sessions.reads == 3


def test_an_unknown_connection_is_refused():
    with pytest.raises(UnauthorizedError):
        chat.authorise_frame("c-unknown", ports=ports(Connections(), Sessions()), policy=POLICY, now=NOW)
