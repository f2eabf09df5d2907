"""What the routes used to do themselves, now done where it belongs: the query model gives a nearby search's
category in lower case, and the notifications feed is the notifications use case's (its page and unread count)."""

from __future__ import annotations

from datetime import UTC, datetime

from gigcore.domain.notifications import Notification
from gigcore.schemas.gigs import NearbyGigsParams
from gigcore.services import notifications


def test_a_nearby_category_in_any_case_is_searched_in_lower_case():
    params = NearbyGigsParams.model_validate({"lat": "6.5", "lng": "3.4", "radius_km": "5", "category": "PlumBing"})
    assert params.category == "plumbing"
    assert NearbyGigsParams.model_validate({"lat": "6.5", "lng": "3.4", "radius_km": "5"}).category is None


class Store:
    """The part of the notification store the feed reads."""

    def __init__(self, notifications: list[Notification]) -> None:
        self.notifications = notifications

    def page(self, user_id: str, *, limit: int, after: str | None) -> tuple[list[Notification], str | None]:
        mine = [n for n in self.notifications if n.user_id == user_id and (after is None or n.id < after)]
        return mine[:limit], (mine[limit - 1].id if len(mine) > limit else None)

    def unread_count(self, user_id: str) -> int:
        return sum(1 for n in self.notifications if n.user_id == user_id and not n.read)


def _note(n: int, user_id: str = "u1", read: bool = False) -> Notification:
    return Notification(id=f"n{n}", user_id=user_id, type="gig.nearby_match", title="t", body="b", data={},
                        read=read, created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_feed_is_a_page_of_the_users_notifications_with_their_unread_count():
    store = Store([_note(3), _note(2, read=True), _note(1), _note(9, user_id="u2")])
    first = notifications.feed("u1", limit=2, after=None, store=store)  # type: ignore[arg-type]
    assert [n.id for n in first.items] == ["n3", "n2"] and first.after == "n2" and first.unread_count == 2
    last = notifications.feed("u1", limit=2, after=first.after, store=store)  # type: ignore[arg-type]
    assert [n.id for n in last.items] == ["n1"] and last.after is None
