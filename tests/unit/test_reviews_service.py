"""The review use cases on fakes: who may review, when, what shows, and what counts in a rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gigcore.domain.contracts import Contract
from gigcore.domain.errors import ConflictError, ForbiddenError, InvalidStateError, NotFoundError
from gigcore.domain.users import Principal, User
from gigcore.services import reviews
from gigcore.services.reviews import ReviewPorts
from tests.fake_reviews import FakeReviewStore
from tests.fakes import FakeUsers

COMPLETED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SOON = COMPLETED + timedelta(days=1)


class KnownContracts:
    """The contracts that exist (the review use cases only read them)."""

    def __init__(self, *contracts: Contract) -> None:
        self.by_id = {c.id: c for c in contracts}

    def get(self, contract_id: str) -> Contract | None:
        return self.by_id.get(contract_id)


@dataclass
class World:
    ports: ReviewPorts
    users: FakeUsers
    store: FakeReviewStore


def contract(status: str = "completed", contract_id: str = "C1") -> Contract:
    return Contract(id=contract_id, gig_id="G1", application_id="A1", client_id="UC", freelancer_id="UF",
                    currency="EUR", status=status, created_at=COMPLETED - timedelta(days=30),  # type: ignore[arg-type]
                    updated_at=COMPLETED)


@pytest.fixture
def world() -> World:
    users = FakeUsers()
    for uid in ("UC", "UF", "UX"):
        users.add(User(id=uid, email=f"{uid}@example.com", name=uid, roles=("client", "freelancer"),
                       password_hash="h", created_at=COMPLETED))
    store = FakeReviewStore(users)
    contracts = KnownContracts(contract(), contract("active", "C2"))
    return World(ReviewPorts(reviews=store, contracts=contracts, users=users), users, store)  # type: ignore[arg-type]


def review(world: World, who: str, rating: int = 5, *, contract_id: str = "C1", now: datetime = SOON):
    return reviews.review(Principal(who), contract_id, rating, "Good work", ports=world.ports, now=now)


def rating(world: World, user_id: str) -> tuple[int, int]:
    user = world.users.get(user_id)
    assert user is not None
    return user.rating_sum, user.rating_count


def test_a_first_review_is_hidden_until_the_other_party_reviews(world):
    mine = review(world, "UC", 4)
    assert (mine.reviewer_id, mine.reviewee_id, mine.revealed) == ("UC", "UF", False)
    assert reviews.reviews_of("UF", limit=10, after=None, ports=world.ports, now=SOON).reviews == []
    assert rating(world, "UF") == (0, 0)
    theirs = review(world, "UF", 2)
    assert theirs.revealed
    shown = reviews.reviews_of("UF", limit=10, after=None, ports=world.ports, now=SOON).reviews
    assert [(r.reviewer_id, r.rating, r.revealed) for r in shown] == [("UC", 4, True)]
    assert rating(world, "UF") == (4, 1) and rating(world, "UC") == (2, 1)


def test_a_second_review_by_the_same_party_is_a_conflict(world):
    review(world, "UC")
    with pytest.raises(ConflictError) as second:
        review(world, "UC")
    assert second.value.message == "You have already reviewed this contract."


def test_only_the_parties_of_a_completed_contract_review_within_the_window(world):
    with pytest.raises(NotFoundError):
        review(world, "UC", contract_id="C-NONE")
    with pytest.raises(ForbiddenError):
        review(world, "UX")
    with pytest.raises(InvalidStateError) as active:
        review(world, "UC", contract_id="C2")
    assert active.value.details[0].issue == "active"
    with pytest.raises(InvalidStateError) as late:
        review(world, "UC", now=COMPLETED + timedelta(days=14))
    assert late.value.details[0].issue == "review window closed"


class OtherPartyArrivesFirst(FakeReviewStore):
    """The other party's review is stored between this one's read and its write, once."""

    def __init__(self, users: FakeUsers, other) -> None:
        super().__init__(users)
        self.other = other

    def add(self, review, *, other):
        if self.other is not None:
            arriving, self.other = self.other, None
            super().add(arriving, other=None)
        super().add(review, other=other)


def test_a_review_written_at_the_same_moment_as_the_others_reveals_both(world):
    from gigcore.domain.reviews import Review

    theirs = Review(id="R-THEIRS", contract_id="C1", reviewer_id="UF", reviewee_id="UC", rating=3, comment="ok",
                    created_at=SOON, window_ends_at=COMPLETED + timedelta(days=14))
    racing = OtherPartyArrivesFirst(world.users, theirs)
    ports = ReviewPorts(reviews=racing, contracts=world.ports.contracts, users=world.users)
    mine = reviews.review(Principal("UC"), "C1", 5, "Great", ports=ports, now=SOON)
    assert mine.revealed
    assert rating(world, "UF") == (5, 1) and rating(world, "UC") == (3, 1)


def test_the_schedule_shows_reviews_whose_window_closed_once(world):
    review(world, "UC", 3)
    closed = COMPLETED + timedelta(days=14)
    assert reviews.reveal_due(ports=world.ports, now=closed) == 1
    assert reviews.reveal_due(ports=world.ports, now=closed) == 0
    assert rating(world, "UF") == (3, 1)
    assert [r.rating for r in reviews.reviews_of("UF", limit=10, after=None, ports=world.ports,
                                                 now=closed).reviews] == [3]


def test_the_reviews_of_someone_who_does_not_exist_are_not_found(world):
    with pytest.raises(NotFoundError):
        reviews.reviews_of("U-NONE", limit=10, after=None, ports=world.ports, now=SOON)
