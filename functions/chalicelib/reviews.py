"""``/contracts/{id}/reviews`` and ``/users/{id}/reviews``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import body, principal, query_params, route
from chalicelib.imports import on_first_use
from chalicelib.paging import cursor_at, page_params
from gigcore import bootstrap
from gigcore.schemas.contracts import PageParams
from gigcore.schemas.reviews import ReviewOut, ReviewPageOut, ReviewRequest, review_out

if TYPE_CHECKING:
    from gigcore.services import reviews
else:
    reviews = on_first_use("gigcore.services.reviews")


bp = Blueprint(__name__)


@route(bp, "/contracts/{contract_id}/reviews", method="POST",
       summary="Review the other party of a completed contract (once, within 14 days)", request=ReviewRequest,
       response=ReviewOut, status=201, errors=(403, 404, 409, 422), tag="reviews")
def post_review(contract_id: str) -> ReviewOut:
    cmd = body(ReviewRequest)
    container = bootstrap.container()
    now = container.clock.now()
    made = reviews.review(principal(), contract_id, cmd.rating, cmd.comment, ports=container.review_ports, now=now)
    return review_out(made, made.visible(now))


@route(bp, "/users/{user_id}/reviews", summary="The reviews a user received that show, newest first",
       response=ReviewPageOut, query_model=PageParams, errors=(400, 404, 422), tag="reviews")
def user_reviews(user_id: str) -> ReviewPageOut:
    caller = principal().user_id
    path, raw = f"/users/{user_id}/reviews", query_params()
    limit, after = page_params(path, caller, raw)
    container = bootstrap.container()
    page = reviews.reviews_of(user_id, limit=limit, after=after, ports=container.review_ports,
                              now=container.clock.now())
    return ReviewPageOut(items=[review_out(r, True) for r in page.reviews],
                         next_cursor=cursor_at(page.after, path, caller, raw))
