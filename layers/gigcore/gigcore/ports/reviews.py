"""Port of reviews; see ``gigcore.domain.reviews`` for the rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gigcore.domain.reviews import Review

#: Where a page of reviews ended, as the store defines it (strings by name, JSON-serialisable): opaque to the
#: caller, who hands it back unchanged for the next page (inside the API's signed cursor).
ReviewCursor = dict[str, str]


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[Review]
    #: Where the next page starts, or None. A page may hold fewer than ``limit`` reviews (hidden ones are left
    #: out) and still have a next one.
    after: ReviewCursor | None


class ReviewStore(Protocol):
    """Reviews by (contract, reviewer); the in-memory fake (tests/fake_reviews.py) is held to the DynamoDB store
    by tests/integration/test_review_store_contract.py."""

    def get(self, contract_id: str, reviewer_id: str) -> Review | None:
        """Strongly consistent."""

    def add(self, review: Review, *, other: Review | None) -> None:
        """Store ``review`` (one per reviewer and contract: :class:`ConflictError` for a second). When the other
        party's review exists (``other``), both are revealed in the same transaction and each is counted in
        its reviewee's rating; when it does not, the write also checks it still does not (of two concurrent
        first reviews, one fails with :class:`ConflictError` and sees the other when it tries again)."""

    def visible_of(self, user_id: str, now: datetime, *, limit: int, after: ReviewCursor | None) -> ReviewPage:
        """The reviews of ``user_id`` (as reviewee) that show at ``now``, newest first."""

    def due_for_reveal(self, now: datetime, *, limit: int) -> list[Review]:
        """Hidden reviews whose window has closed, earliest first."""

    def reveal(self, review: Review) -> bool:
        """Reveal a hidden review and count it in its reviewee's rating, once; False when it already was."""
