"""``python -m gigcore.cli.reindex`` rebuilds a search index from the table alone."""

from __future__ import annotations

import io
import uuid

import pytest

from gigcore.adapters.tantivy_search import TantivySearchIndex
from gigcore.cli.reindex import reindex
from gigcore.ports.search import FreelancerSearch, GigSearch

from .test_gigs_api import gig_body, session

pytestmark = pytest.mark.integration


def test_reindex_rebuilds_open_gigs_and_listed_freelancers_from_the_table(api, tmp_path):
    token, _ = session(api)
    word = "zq" + uuid.uuid4().hex[:8]
    kept = api.post("/gigs", gig_body(title=f"{word} open"), token=token).json_body["id"]
    closed = api.post("/gigs", gig_body(title=f"{word} closed"), token=token).json_body["id"]
    assert api.post(f"/gigs/{closed}/cancel", token=token).status_code == 200
    ftoken, freelancer = session(api, ("freelancer",))
    profile = {"headline": f"{word} electrician", "bio": "Wiring", "availability": "available",
               "skills": [{"name": "Wiring", "level": "expert"}], "hourly_rate": {"amount": 1000, "currency": "NGN"},
               "location": {"lat": 6.45, "lng": 3.39}, "service_radius_km": 10}
    assert api.put("/me/freelancer-profile", profile, token=ftoken).status_code == 200

    index = TantivySearchIndex(str(tmp_path / "rebuilt"))
    out = io.StringIO()
    assert reindex("gigs", index=index, out=out) >= 2
    assert reindex("freelancers", index=index, out=out) >= 1
    assert "docs/s" in out.getvalue() and "[" in out.getvalue()
    assert [h.id for h in index.search_gigs(GigSearch(text=word)).hits] == [kept]
    assert [h.id for h in index.search_freelancers(FreelancerSearch(text=word)).hits] == [freelancer]


def test_a_rebuilt_index_knows_each_gigs_deadline(api, tmp_path):
    from datetime import UTC, datetime, timedelta

    token, _ = session(api)
    word = "zq" + uuid.uuid4().hex[:8]
    deadline = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    ending = api.post("/gigs", gig_body(title=f"{word} ending", deadline=deadline.isoformat().replace("+00:00", "Z")),
                      token=token).json_body["id"]
    lasting = api.post("/gigs", gig_body(title=f"{word} lasting"), token=token).json_body["id"]

    index = TantivySearchIndex(str(tmp_path / "rebuilt"))
    reindex("gigs", index=index, out=io.StringIO())
    at_deadline = int(deadline.timestamp()) * 1000
    assert sorted(h.id for h in index.search_gigs(GigSearch(text=word, now_ms=at_deadline - 1)).hits) == sorted(
        [ending, lasting])
    assert [h.id for h in index.search_gigs(GigSearch(text=word, now_ms=at_deadline)).hits] == [lasting]
