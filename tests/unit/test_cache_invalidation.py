"""One way to forget a cached copy: a write tells its listener which gig or user changed (an
``EntityChanged``), the stream and the search queue tell the container the same, and the container's one
subscription forgets the read caches' copies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigcore import bootstrap
from gigcore.domain.errors import ConflictError
from gigcore.domain.users import AccountChanges, Principal, User
from gigcore.ports.changes import EntityChanged
from gigcore.services import users
from tests.fakes import FakeUsers

ADA = User(id="01ADA", email="ada@example.com", name="Ada", roles=("client",), password_hash="x",
           created_at=datetime(2026, 1, 1, tzinfo=UTC))

RENAME = AccountChanges(given=frozenset({"name"}), name="Ada L.")


class Refusing(FakeUsers):
    def save(self, user: User, events: object = ()) -> User:
        raise ConflictError("changed")


def test_a_users_change_is_told_to_the_listener():
    heard: list[EntityChanged] = []
    store = FakeUsers()
    store.add(ADA)
    users.update_me(Principal(ADA.id), RENAME, users=store, changed=heard.append)
    assert heard == [EntityChanged("user", ADA.id)]


def test_a_refused_change_is_told_too_since_the_user_moved_elsewhere():
    heard: list[EntityChanged] = []
    store = Refusing()
    store.add(ADA)
    with pytest.raises(ConflictError):
        users.update_me(Principal(ADA.id), RENAME, users=store, changed=heard.append)
    assert heard == [EntityChanged("user", ADA.id)]


@pytest.fixture
def container():
    bootstrap.reset()
    yield bootstrap.container()
    bootstrap.reset()


def test_the_container_forgets_only_the_changed_copy(container):
    container.gig_cache.put("01GIG", object())  # type: ignore[arg-type]
    container.gig_cache.put("01OTHER", object())  # type: ignore[arg-type]
    container.profile_cache.put("01USER", object())  # type: ignore[arg-type]
    container.changed(EntityChanged("gig", "01GIG"))
    container.changed(EntityChanged("user", "01USER"))
    assert container.gig_cache.get("01GIG") is None and container.profile_cache.get("01USER") is None
    assert container.gig_cache.get("01OTHER") is not None


def test_reads_through_the_cache_keep_a_copy_until_a_change_is_heard(container):
    class Gigs:
        loads = 0

        def get(self, gig_id: str) -> str:
            Gigs.loads += 1
            return f"{gig_id} v{Gigs.loads}"

        def get_many(self, gig_ids: list[str]) -> dict[str, str]:
            return {g: self.get(g) for g in gig_ids}

    container.__dict__["gigs"] = Gigs()
    reads = container.gig_reads
    assert reads.get("01GIG") == reads.get("01GIG") == "01GIG v1"
    container.changed(EntityChanged("gig", "01GIG"))
    assert reads.get("01GIG") == "01GIG v2" and reads.get_many(["01GIG"]) == {"01GIG": "01GIG v2"}
