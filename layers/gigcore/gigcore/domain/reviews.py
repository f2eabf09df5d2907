"""Reviews, pure: who may review, until when, and when a review shows.

The two parties of a completed contract review each other, once each, within :data:`REVIEW_WINDOW` of its
completion. A review is hidden until both have reviewed (then both show at once) or the window closes, so
neither side writes in answer to the other's. A review counts in the reviewee's rating when it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REVIEW_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Review:
    id: str
    contract_id: str
    reviewer_id: str
    reviewee_id: str
    rating: int
    comment: str
    created_at: datetime
    #: When the review window of the contract closes (the review then shows, whatever the other side did).
    window_ends_at: datetime
    #: Shown because both sides reviewed, or because the schedule found its window closed.
    revealed: bool = False

    def visible(self, now: datetime) -> bool:
        return self.revealed or now >= self.window_ends_at
