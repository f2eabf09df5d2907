"""The ``ReviewStore`` contract, run against the DynamoDB store (on DynamoDB Local) and the in-memory fake: one
review per reviewer and contract, a first review refused once the other's exists, both shown and counted in
the reviewees' ratings together, a reveal counted once, and pages of what shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gigcore.domain.errors import ConflictError
from gigcore.domain.ids import new_id
from gigcore.domain.reviews import Review
from gigcore.domain.users import User
from gigcore.ports.auth import UserRepository
from gigcore.ports.reviews import ReviewStore
from tests.fake_reviews import FakeReviewStore
from tests.fakes import FakeUsers

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Harness:
    reviews: ReviewStore
    users: UserRepository


@pytest.fixture(params=["dynamodb", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        users = FakeUsers()
        yield Harness(FakeReviewStore(users), users)
        return
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap

    container: Any = bootstrap.container()
    yield Harness(container.review_ports.reviews, container.users)


def a_user(h: Harness) -> str:
    user = User(id=f"U{uuid.uuid4().hex[:24].upper()}", email=f"r-{uuid.uuid4().hex[:10]}@example.com", name="R",
                roles=("client", "freelancer"), password_hash="h", created_at=NOW)
    h.users.add(user)
    return user.id


def review(contract: str, reviewer: str, reviewee: str, rating: int = 5, *, at: datetime = NOW,
           window: timedelta = timedelta(days=14), revealed: bool = False) -> Review:
    return Review(id=new_id(), contract_id=contract, reviewer_id=reviewer, reviewee_id=reviewee, rating=rating,
                  comment="ok", created_at=at, window_ends_at=at + window, revealed=revealed)


def rating(h: Harness, user_id: str) -> tuple[int, int]:
    user = h.users.get(user_id)
    assert user is not None
    return user.rating_sum, user.rating_count


def test_a_first_review_is_stored_hidden_and_counts_nothing_yet(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    mine = review(contract, client, freelancer, 4)
    harness.reviews.add(mine, other=None)
    assert harness.reviews.get(contract, client) == mine
    assert harness.reviews.get(contract, freelancer) is None
    assert rating(harness, freelancer) == (0, 0)


def test_a_second_review_by_the_same_party_is_refused(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    harness.reviews.add(review(contract, client, freelancer), other=None)
    with pytest.raises(ConflictError):
        harness.reviews.add(review(contract, client, freelancer), other=None)


def test_a_first_review_is_refused_when_the_other_already_exists(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    harness.reviews.add(review(contract, client, freelancer), other=None)
    with pytest.raises(ConflictError):
        harness.reviews.add(review(contract, freelancer, client), other=None)  # read before the other arrived
    assert harness.reviews.get(contract, freelancer) is None


def test_the_second_party_reveals_both_and_both_count(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    first = review(contract, client, freelancer, 4)
    harness.reviews.add(first, other=None)
    second = review(contract, freelancer, client, 2, revealed=True)
    harness.reviews.add(second, other=first)
    stored = harness.reviews.get(contract, client)
    assert stored is not None and stored.revealed
    assert rating(harness, freelancer) == (4, 1) and rating(harness, client) == (2, 1)


def test_a_reveal_counts_once(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    hidden = review(contract, client, freelancer, 3)
    harness.reviews.add(hidden, other=None)
    assert harness.reviews.reveal(hidden) is True
    assert harness.reviews.reveal(hidden) is False
    assert rating(harness, freelancer) == (3, 1)
    # Revealed meanwhile by the schedule: the other party's write, read before it, is refused.
    with pytest.raises(ConflictError):
        harness.reviews.add(review(contract, freelancer, client, revealed=True), other=hidden)
    assert rating(harness, client) == (0, 0)


def test_a_reveal_moves_the_reviewees_version_on(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    before = harness.users.get(freelancer)
    assert before is not None
    hidden = review(contract, client, freelancer)
    harness.reviews.add(hidden, other=None)
    harness.reviews.reveal(hidden)
    with pytest.raises(ConflictError):
        harness.users.save(before.changed(name="Stale"))  # would write the old rating back


def test_reviews_due_are_the_hidden_ones_whose_window_closed_earliest_first(harness):
    client, freelancer = a_user(harness), a_user(harness)
    late = review(new_id(), client, freelancer, at=NOW - timedelta(days=20), window=timedelta(days=14))
    early = review(new_id(), client, freelancer, at=NOW - timedelta(days=30), window=timedelta(days=14))
    open_still = review(new_id(), client, freelancer, at=NOW - timedelta(days=1))
    for r in (late, early, open_still):
        harness.reviews.add(r, other=None)
    due = [r.id for r in harness.reviews.due_for_reveal(NOW, limit=1000) if r.reviewee_id == freelancer]
    assert due == [early.id, late.id]
    harness.reviews.reveal(early)
    assert early.id not in [r.id for r in harness.reviews.due_for_reveal(NOW, limit=1000)]


def test_pages_show_what_is_visible_newest_first(harness):
    client, freelancer = a_user(harness), a_user(harness)
    made = [review(new_id(), client, freelancer, at=NOW - timedelta(days=20 - i)) for i in range(3)]
    hidden = review(new_id(), client, freelancer, at=NOW)
    for r in [*made, hidden]:
        harness.reviews.add(r, other=None)
    seen, after = [], None
    for _ in range(10):
        page = harness.reviews.visible_of(freelancer, NOW, limit=2, after=after)
        seen += [r.id for r in page.reviews]
        after = page.after
        if after is None:
            break
    # The window of the three older ones has closed; the newest is still hidden.
    assert seen == [r.id for r in reversed(made)]
    everything = harness.reviews.visible_of(freelancer, NOW + timedelta(days=15), limit=10, after=None)
    assert [r.id for r in everything.reviews] == [hidden.id, *[r.id for r in reversed(made)]]
    assert everything.after is None


def test_the_limit_counts_before_what_does_not_show_is_dropped(harness):
    client, freelancer = a_user(harness), a_user(harness)
    older = review(new_id(), client, freelancer, at=NOW - timedelta(days=20))
    newer = review(new_id(), client, freelancer, at=NOW)
    for r in (older, newer):
        harness.reviews.add(r, other=None)
    page = harness.reviews.visible_of(freelancer, NOW, limit=1, after=None)
    assert page.reviews == [] and page.after is not None
    nxt = harness.reviews.visible_of(freelancer, NOW, limit=1, after=page.after)
    assert [r.id for r in nxt.reviews] == [older.id]


def test_a_shown_review_reads_back_revealed(harness):
    client, freelancer, contract = a_user(harness), a_user(harness), new_id()
    hidden = review(contract, client, freelancer)
    harness.reviews.add(hidden, other=None)
    harness.reviews.reveal(hidden)
    assert harness.reviews.get(contract, client) == replace(hidden, revealed=True)
