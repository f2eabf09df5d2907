"""An in-memory :class:`gigcore.ports.reviews.ReviewStore`, held to the DynamoDB store by
tests/integration/test_review_store_contract.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.errors import ConflictError
from gigcore.domain.reviews import Review
from gigcore.ports.reviews import ReviewPage
from tests.fakes import FakeUsers


class FakeReviewStore:
    """Reviews by (contract, reviewer), as on DynamoDB: a second review by the same reviewer, a first review
    while the other's already exists, or a reveal of a review already shown, is refused; a shown review counts
    in its reviewee's rating (``users``), and a user who does not exist refuses the write. A page of a user's
    reviews reads ``limit`` of them newest first and then drops those not yet shown (DynamoDB's filter runs
    after its limit), so a page may be short and still name where the next starts."""

    def __init__(self, users: FakeUsers) -> None:
        self.reviews: dict[tuple[str, str], Review] = {}
        self._users = users

    def get(self, contract_id: str, reviewer_id: str) -> Review | None:
        return self.reviews.get((contract_id, reviewer_id))

    def add(self, review: Review, *, other: Review | None) -> None:
        def refused() -> ConflictError:
            return ConflictError("A review of this contract was written meanwhile; try again.")

        if (review.contract_id, review.reviewer_id) in self.reviews:
            raise refused()
        stored_other = self.reviews.get((review.contract_id, review.reviewee_id))
        if other is None and stored_other is not None:
            raise refused()
        if other is not None:
            if self._users.get(review.reviewee_id) is None:
                raise refused()
            if not other.revealed:
                if stored_other is None or stored_other.revealed or self._users.get(other.reviewee_id) is None:
                    raise refused()
                self.reviews[(other.contract_id, other.reviewer_id)] = replace(stored_other, revealed=True)
                self._users.count_rating(other.reviewee_id, other.rating)
            self._users.count_rating(review.reviewee_id, review.rating)
        self.reviews[(review.contract_id, review.reviewer_id)] = review

    def visible_of(self, user_id: str, now: datetime, *, limit: int, after: dict[str, str] | None) -> ReviewPage:
        def position(r: Review) -> str:
            return f"{to_rfc3339(r.created_at)}#{r.id}"

        received = sorted((r for r in self.reviews.values() if r.reviewee_id == user_id), key=position, reverse=True)
        if after is not None:
            received = [r for r in received if position(r) < after["position"]]
        read = received[:limit]
        more = len(read) == limit and bool(read)
        return ReviewPage(reviews=[r for r in read if r.visible(now)],
                          after={"position": position(read[-1])} if more else None)

    def due_for_reveal(self, now: datetime, *, limit: int) -> list[Review]:
        hidden = [r for r in self.reviews.values() if not r.revealed and r.window_ends_at <= now]
        return sorted(hidden, key=lambda r: (r.window_ends_at, r.contract_id, r.reviewer_id))[:limit]

    def reveal(self, review: Review) -> bool:
        stored = self.reviews.get((review.contract_id, review.reviewer_id))
        if stored is None or stored.revealed or self._users.get(review.reviewee_id) is None:
            return False
        self.reviews[(review.contract_id, review.reviewer_id)] = replace(stored, revealed=True)
        self._users.count_rating(review.reviewee_id, review.rating)
        return True
