"""``/contracts/{id}/reviews`` and ``/users/{id}/reviews`` (API.md "Reviews")."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.http import body, list_cursor, list_page, principal, route
from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.schemas.contracts import PageParams
from gigcore.schemas.reviews import ReviewOut, ReviewPageOut, ReviewRequest, review_out
from gigcore.services import reviews
from gigcore.services.reviews import ReviewPorts

bp = Blueprint(__name__)

def _ports() -> ReviewPorts:
    ports: ReviewPorts = bootstrap.container().review_ports
    return ports


@route(bp, "/contracts/{contract_id}/reviews", method="POST",
       summary="Review the other party of a completed contract (once, within 14 days)", request=ReviewRequest,
       response=ReviewOut, status=201, errors=(403, 404, 409, 422), tag="reviews")
def post_review(contract_id: str) -> ReviewOut:
    cmd = body(ReviewRequest)
    now = utc_now()
    made = reviews.review(principal(), contract_id, cmd.rating, cmd.comment, ports=_ports(), now=now)
    if made.revealed:  # both sides' reviews now show: the two ratings moved
        for user_id in (made.reviewer_id, made.reviewee_id):
            bootstrap.container().profile_cache.invalidate(user_id)
    return review_out(made, made.visible(now))


@route(bp, "/users/{user_id}/reviews", summary="The reviews a user received that show, newest first",
       response=ReviewPageOut, query_model=PageParams, errors=(400, 404, 422), tag="reviews")
def user_reviews(user_id: str) -> ReviewPageOut:
    path = f"/users/{user_id}/reviews"
    limit, after, raw = list_page(path)
    now = utc_now()
    page = reviews.reviews_of(user_id, limit=limit, after=after, ports=_ports(), now=now)
    return ReviewPageOut(items=[review_out(r, True) for r in page.reviews],
                         next_cursor=list_cursor(page.after, path, raw))
