"""``GET /gigs/nearby`` and ``GET /freelancers/nearby`` over the local stack: nearest first, paged, sparse.

Every test works around its own random spot, so the tests share the table but never each other's gigs.
"""

from __future__ import annotations

import random
import uuid

import pytest

from gigcore.domain.geo import haversine_km

from .test_gigs_api import gig_body, session

pytestmark = pytest.mark.integration


@pytest.fixture
def spot() -> tuple[float, float]:
    rnd = random.Random(uuid.uuid4().int)
    return rnd.uniform(-60, 60), rnd.uniform(-170, 170)


def around(spot, km_north: float, km_east: float = 0.0) -> dict[str, float]:
    import math

    lat = spot[0] + km_north / 111.195
    lng = spot[1] + km_east / (111.195 * math.cos(math.radians(spot[0])))
    return {"lat": lat, "lng": lng}


def nearby(api, token, spot, radius=10, **params):
    query = "&".join([f"lat={spot[0]}", f"lng={spot[1]}", f"radius_km={radius}"] +
                     [f"{k}={v}" for k, v in params.items()])
    return api.get(f"/gigs/nearby?{query}", token=token)


def post_at(api, token, spot, km: float, **overrides) -> str:
    answer = api.post("/gigs", gig_body(location=around(spot, km), **overrides), token=token)
    assert answer.status_code == 201, answer.json_body
    return str(answer.json_body["id"])


def test_open_gigs_come_nearest_first_with_their_distance(api, spot):
    token, _ = session(api)
    ids = {km: post_at(api, token, spot, km) for km in (3.0, 0.5, 7.0, 1.5)}
    post_at(api, token, spot, 12.0)  # outside the radius
    answer = nearby(api, token, spot, radius=10)
    assert answer.status_code == 200
    items = answer.json_body["items"]
    assert [i["id"] for i in items] == [ids[0.5], ids[1.5], ids[3.0], ids[7.0]]
    for item in items:
        exact = haversine_km(spot[0], spot[1], item["location"]["lat"], item["location"]["lng"])
        assert item["distance_km"] == pytest.approx(exact, abs=1e-3)
        assert item["status"] == "open" and item["title"]
    assert answer.json_body["next_cursor"] is None


def test_pages_continue_where_the_last_one_stopped_even_when_gigs_are_added(api, spot):
    token, _ = session(api)
    ids = [post_at(api, token, spot, 0.4 * (i + 1)) for i in range(7)]
    first = nearby(api, token, spot, limit=3).json_body
    assert [i["id"] for i in first["items"]] == ids[:3]
    nearer = post_at(api, token, spot, 0.1)  # before the cursor: not shown again, no duplicate
    farther = post_at(api, token, spot, 2.1)  # after it: shown in its place
    second = nearby(api, token, spot, limit=3, cursor=first["next_cursor"]).json_body
    third = nearby(api, token, spot, limit=3, cursor=second["next_cursor"]).json_body
    rest = [i["id"] for i in second["items"] + third["items"]]
    assert rest == ids[3:5] + [farther] + ids[5:]
    assert nearer not in rest
    assert third["next_cursor"] is None


def test_a_cancelled_gig_leaves_nearby_results(api, spot):
    token, _ = session(api)
    kept = post_at(api, token, spot, 1.0)
    gone = post_at(api, token, spot, 2.0)
    api.post(f"/gigs/{gone}/cancel", token=token)
    assert [i["id"] for i in nearby(api, token, spot).json_body["items"]] == [kept]


def test_a_moved_gig_is_found_at_its_new_place(api, spot):
    token, _ = session(api)
    gig = post_at(api, token, spot, 50.0)
    assert nearby(api, token, spot).json_body["items"] == []
    api.patch(f"/gigs/{gig}", {"location": around(spot, 2.0)}, token=token)
    items = nearby(api, token, spot).json_body["items"]
    assert [i["id"] for i in items] == [gig] and items[0]["distance_km"] == pytest.approx(2.0, abs=0.01)


def test_filters_keep_the_order(api, spot):
    token, _ = session(api)
    cheap = post_at(api, token, spot, 1.0, budget={"min": {"amount": 100, "currency": "NGN"},
                                                   "max": {"amount": 200, "currency": "NGN"}, "type": "fixed"})
    wiring = post_at(api, token, spot, 2.0, category="electrical", skills=["Wiring"])
    plumbing = post_at(api, token, spot, 3.0)
    assert [i["id"] for i in nearby(api, token, spot, category="plumbing").json_body["items"]] == [cheap, plumbing]
    assert [i["id"] for i in nearby(api, token, spot, skills="wiring,tiling").json_body["items"]] == [wiring]
    overlapping = nearby(api, token, spot, budget_min=300, budget_max=600000).json_body["items"]
    assert [i["id"] for i in overlapping] == [wiring, plumbing]


def test_bad_nearby_parameters_are_refused(api, spot):
    token, _ = session(api)
    assert nearby(api, token, spot, radius=0.05).status_code == 422
    assert nearby(api, token, (91, 0)).status_code == 422
    assert nearby(api, token, spot, limit=101).status_code == 422
    assert nearby(api, token, spot, cursor="forged.cursor").status_code == 400
    assert api.get("/gigs/nearby?lat=1&lng=2&radius_km=3").status_code == 401


def test_freelancers_near_a_point_come_nearest_first_with_their_distance(api, spot):
    client, _ = session(api)
    profiles = {}
    for km, availability, skills, rate in [(2.0, "available", ["Plumbing", "Tiling"], 300000),
                                           (0.5, "busy", ["Plumbing"], 900000),
                                           (1.0, "unavailable", ["Plumbing"], 100000)]:
        token, user_id = session(api, ("freelancer",))
        body = {"headline": "Plumber", "bio": "Fixes pipes", "availability": availability,
                "skills": [{"name": s, "level": "expert"} for s in skills],
                "hourly_rate": {"amount": rate, "currency": "NGN"}, "location": around(spot, km),
                "service_radius_km": 10}
        assert api.put("/me/freelancer-profile", body, token=token).status_code == 200
        profiles[km] = (token, user_id, body)
    query = f"/freelancers/nearby?lat={spot[0]}&lng={spot[1]}&radius_km=5"
    items = api.get(query, token=client).json_body["items"]
    assert [i["id"] for i in items] == [profiles[0.5][1], profiles[2.0][1]]  # unavailable is not listed
    assert items[0]["distance_km"] == pytest.approx(0.5, abs=0.01) and "email" not in items[0]
    both = api.get(query + "&skills=plumbing,tiling", token=client).json_body["items"]
    assert [i["id"] for i in both] == [profiles[2.0][1]]
    cheap = api.get(query + "&max_rate=500000&currency=NGN", token=client).json_body["items"]
    assert [i["id"] for i in cheap] == [profiles[2.0][1]]
    # Going unavailable takes a freelancer out; moving re-indexes them.
    token, user_id, body = profiles[0.5]
    api.put("/me/freelancer-profile", body | {"availability": "unavailable"}, token=token)
    token2, user2, body2 = profiles[2.0]
    api.put("/me/freelancer-profile", body2 | {"location": around(spot, 4.0)}, token=token2)
    items = api.get(query, token=client).json_body["items"]
    assert [(i["id"], round(i["distance_km"])) for i in items] == [(user2, 4)]


def test_a_nearby_page_reads_its_gigs_through_the_gig_cache_and_a_change_is_seen_at_once(api, spot):
    from gigcore import bootstrap
    from gigcore.cache import counters

    cache = bootstrap.container().gig_cache
    token, _ = session(api)
    ids = [post_at(api, token, spot, km) for km in (0.5, 1.0, 2.0)]
    first = nearby(api, token, spot, radius=5)
    assert [i["id"] for i in first.json_body["items"]] == ids
    assert all(cache.get(gig_id) is not None for gig_id in ids)  # kept for the next page or GET /gigs/{id}
    before = counters()
    again = nearby(api, token, spot, radius=5)
    after = counters()
    assert again.json_body == first.json_body
    assert after.hits - before.hits == 3 and after.misses == before.misses

    # The owner's change is seen at once (the writer forgets its copy); a cancelled gig leaves the page.
    assert api.patch(f"/gigs/{ids[1]}", {"title": "Fix two leaking taps"}, token=token).status_code == 200
    assert api.post(f"/gigs/{ids[2]}/cancel", token=token).status_code == 200
    items = nearby(api, token, spot, radius=5).json_body["items"]
    assert [i["id"] for i in items] == ids[:2]
    assert items[1]["title"] == "Fix two leaking taps"


def test_a_deadline_is_the_geo_entrys_time_to_live_and_moving_it_on_puts_an_expired_entry_back(api, spot):
    """issue 20 (what production gets is what the benchmark shows): a gig past its deadline stayed in the geo
    index for good, filtered out only when a page read it back, so the entries a page reads grew with every gig
    whose owner never closed it. Its entry now carries the deadline in the table's time-to-live attribute, and
    DynamoDB deletes it once the deadline has passed; moving the deadline on puts the entry back."""
    from datetime import UTC, datetime, timedelta

    from gigcore import bootstrap

    dynamodb, table = bootstrap.container().dynamodb, bootstrap.settings().table_name
    # the table's time to live, as infra/resources.yaml gives it to the local stack and to CloudFormation
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"

    def entry_of(gig_id: str) -> dict | None:
        gig = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"GIG#{gig_id}"}, "sk": {"S": "GIG"}},
                                ConsistentRead=True)["Item"]
        found = dynamodb.get_item(TableName=table, Key={"pk": gig["geo_pk"], "sk": gig["geo_sk"]},
                                  ConsistentRead=True)
        return found.get("Item")

    token, _ = session(api)
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    ending = post_at(api, token, spot, 1.0, deadline=deadline.isoformat().replace("+00:00", "Z"))
    lasting = post_at(api, token, spot, 2.0)
    # the deadline, in epoch seconds, is the entry's expiry; a gig without one never expires from the index
    assert entry_of(ending)[ttl["AttributeName"]] == {"N": str(int(deadline.timestamp()))}
    assert ttl["AttributeName"] not in entry_of(lasting)

    # When DynamoDB's time to live has deleted the entry (as it does, within days, once the deadline has passed)
    gig = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"GIG#{ending}"}, "sk": {"S": "GIG"}},
                            ConsistentRead=True)["Item"]
    dynamodb.delete_item(TableName=table, Key={"pk": gig["geo_pk"], "sk": gig["geo_sk"]})
    assert [i["id"] for i in nearby(api, token, spot, radius=5).json_body["items"]] == [lasting]
    # Then the owner's moving the deadline on puts it back, with the new deadline as its expiry
    later = deadline + timedelta(days=30)
    moved = api.patch(f"/gigs/{ending}", {"deadline": later.isoformat().replace("+00:00", "Z")}, token=token)
    assert moved.status_code == 200, moved.json_body
    assert entry_of(ending)[ttl["AttributeName"]] == {"N": str(int(later.timestamp()))}
    assert [i["id"] for i in nearby(api, token, spot, radius=5).json_body["items"]] == [ending, lasting]


def test_gigs_past_their_deadline_take_no_place_on_a_page_before_their_entries_expire(api, spot, monkeypatch):
    """Until DynamoDB's time to live deletes a past-deadline gig's entry (days, at worst), the entry is still read;
    it was dropped only when the page's gigs were read back, so a page could come back short (or empty, with a
    cursor) although live gigs lay just beyond. The entry's expiry now leaves it out before the page is cut.
    The deadline passes on the stack's clock (the Clock port the routes read), not by sleeping."""
    from datetime import UTC, datetime, timedelta

    from gigcore import bootstrap
    from tests.fake_clock import FakeClock

    clock = FakeClock(datetime.now(UTC))
    monkeypatch.setitem(bootstrap.container().__dict__, "clock", clock)
    token, _ = session(api)
    deadline = (clock.now() + timedelta(minutes=5)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    ending = [post_at(api, token, spot, km, deadline=deadline) for km in (1.0, 2.0)]
    lasting = [post_at(api, token, spot, km) for km in (3.0, 4.0)]
    first = nearby(api, token, spot, radius=10, limit=2).json_body
    assert [i["id"] for i in first["items"]] == ending

    clock.advance(minutes=6)  # past the deadline; the access token (15 minutes) still holds
    page = nearby(api, token, spot, radius=10, limit=2).json_body
    assert [i["id"] for i in page["items"]] == lasting
    assert page["next_cursor"] is None
