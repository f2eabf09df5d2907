"""Request and response models of the review routes: what docs/openapi.json describes (docs/reviews.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.reviews import Review
from gigcore.schemas.common import RequestModel, ResponseModel, Timestamp, WholeNumber, text


class ReviewRequest(RequestModel):
    rating: Annotated[int, Field(ge=1, le=5), WholeNumber]
    comment: Annotated[str, text(1, 2000)]


class ReviewOut(ResponseModel):
    id: str
    contract_id: str
    reviewer_id: str
    reviewee_id: str
    rating: int
    comment: str
    created_at: Timestamp
    #: False until the other party has reviewed too, or the review window has closed.
    visible: bool


class ReviewPageOut(ResponseModel):
    items: list[ReviewOut]
    next_cursor: str | None = None


def review_out(r: Review, visible: bool) -> ReviewOut:
    return ReviewOut(id=r.id, contract_id=r.contract_id, reviewer_id=r.reviewer_id, reviewee_id=r.reviewee_id,
                     rating=r.rating, comment=r.comment, created_at=to_rfc3339(r.created_at), visible=visible)
