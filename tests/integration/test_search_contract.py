"""The ``SearchIndex`` contract: one set of tests, run against every adapter.

The embedded (tantivy) adapter always runs, on a fresh directory per test. The OpenSearch adapter runs only
when ``OPENSEARCH_URL`` points at a cluster; without one its tests are skipped, saying so. The in-memory fake
of the service unit tests (tests/fake_search.py) is held to the same contract.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gigcore.domain.geo import haversine_km
from gigcore.ports.search import (
    FreelancerDoc,
    FreelancerSearch,
    GeoPoint,
    GigDoc,
    GigSearch,
    SearchHit,
    SearchIndex,
)

pytestmark = pytest.mark.integration

HOME = GeoPoint(48.8566, 2.3522)


def north(km: float, east: float = 0.0) -> GeoPoint:
    return GeoPoint(HOME.lat + km / 111.195, HOME.lng + east / (111.195 * math.cos(math.radians(HOME.lat))))


@pytest.fixture(params=["embedded", "opensearch", "fake"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "fake":
        from tests.fake_search import FakeSearchIndex

        yield FakeSearchIndex()
        return
    if request.param == "embedded":
        from gigcore.adapters.tantivy_search import TantivySearchIndex

        yield TantivySearchIndex(str(tmp_path / "search"))
        return
    if not os.environ.get("OPENSEARCH_URL"):
        pytest.skip("OPENSEARCH_URL is not set: the contract runs against OpenSearch only with a cluster to talk to")
    import uuid

    from gigcore.adapters.opensearch_search import OpenSearchSearchIndex, client_for

    url = os.environ["OPENSEARCH_URL"]
    client = client_for(url, os.environ.get("AWS_DEFAULT_REGION", "us-east-1"), local=url.startswith("http://"))
    prefix = f"contract-{uuid.uuid4().hex[:8]}"
    yield OpenSearchSearchIndex(client, prefix=prefix, refresh=True)
    client.indices.delete(index=f"{prefix}-*", ignore=[404])


def gig(id: str, *, title: str = "", description: str = "", skills: tuple[str, ...] = (), km: float = 1.0,
        budget: tuple[int, int] = (10_000, 20_000), category: str = "home", version: int = 1,
        created_ms: int = 0, currency: str = "EUR", open: bool = True, deadline_ms: int | None = None) -> GigDoc:
    return GigDoc(id=id, version=version, open=open, title=title, description=description, skills=skills,
                  category=category, location=north(km), budget_min=budget[0], budget_max=budget[1],
                  currency=currency, created_ms=created_ms, deadline_ms=deadline_ms)


CORPUS = [
    gig("g01", title="Plumber for a leaking kitchen sink", description="Small job, one afternoon",
        skills=("plumbing",), km=1, budget=(5_000, 10_000), created_ms=1),
    gig("g02", title="Bathroom renovation", description="Need a plumber and a tiler for two weeks",
        skills=("plumbing", "tiling"), km=3, budget=(100_000, 300_000), created_ms=2),
    gig("g03", title="Garden hedge trimming", description="Trim a long hedge, bring your tools",
        skills=("gardening",), km=2, budget=(3_000, 6_000), category="garden", created_ms=3),
    gig("g04", title="Lawn mowing every week", description="Large lawn behind the house",
        skills=("gardening",), km=12, budget=(2_000, 4_000), category="garden", created_ms=4),
    gig("g05", title="Logo design for a bakery", description="Modern logo, vector files",
        skills=("design",), km=40, budget=(20_000, 50_000), category="design", created_ms=5),
    gig("g06", title="Website for a plumbing company", description="A few pages and a contact form",
        skills=("web",), km=5, budget=(50_000, 80_000), category="tech", created_ms=6, currency="USD"),
]


def ids(page) -> list[str]:
    return [h.id for h in page.hits]


def test_text_ranks_the_title_above_the_description_and_finds_typos(index: SearchIndex) -> None:
    index.put_gigs(CORPUS)
    page = index.search_gigs(GigSearch(text="plumber"))
    assert ids(page)[:2] == ["g01", "g02"]  # in the title (boost 2) before in the description
    assert all(a.score >= b.score for a, b in zip(page.hits, page.hits[1:], strict=False))
    assert "g05" not in ids(page)
    assert ids(index.search_gigs(GigSearch(text="plumbr")))[:1] == ["g01"]  # one typo still finds it
    assert ids(index.search_gigs(GigSearch(text="hedge"))) == ["g03"]


def test_every_gig_filter(index: SearchIndex) -> None:
    index.put_gigs(CORPUS)
    assert sorted(ids(index.search_gigs(GigSearch(category="garden")))) == ["g03", "g04"]
    assert sorted(ids(index.search_gigs(GigSearch(skills=frozenset({"tiling", "design"}))))) == ["g02", "g05"]
    assert sorted(ids(index.search_gigs(GigSearch(currency="USD")))) == ["g06"]
    # Budget overlap: a gig's [min, max] meets the asked [budget_min, budget_max].
    overlap = index.search_gigs(GigSearch(budget_min=6_000, budget_max=20_000))
    assert sorted(ids(overlap)) == ["g01", "g03", "g05"]
    assert sorted(ids(index.search_gigs(GigSearch(budget_min=90_000)))) == ["g02"]
    assert sorted(ids(index.search_gigs(GigSearch(budget_max=3_000)))) == ["g03", "g04"]
    near = index.search_gigs(GigSearch(point=HOME, radius_km=4))
    assert ids(near) == ["g01", "g03", "g02"]  # nearest first when there is no text
    for hit in near.hits:
        assert hit.distance_km is not None and hit.distance_km <= 4
    assert ids(index.search_gigs(GigSearch(sort="newest", limit=3))) == ["g06", "g05", "g04"]


def test_text_radius_and_budget_together(index: SearchIndex) -> None:
    index.put_gigs(CORPUS)
    page = index.search_gigs(GigSearch(text="plumber plumbing", point=HOME, radius_km=10, budget_max=60_000))
    assert sorted(ids(page)) == ["g01", "g06"]
    by_distance = index.search_gigs(GigSearch(text="plumber", point=HOME, radius_km=10, sort="distance"))
    # "plumbing" (g06's title) is within fuzziness AUTO of "plumber" once both are stemmed.
    assert ids(by_distance) == ["g01", "g02", "g06"]
    assert [round(h.distance_km or 0, 1) for h in by_distance.hits] == [1.0, 3.0, 5.0]
    assert all(h.score > 0 for h in by_distance.hits)  # the text score is reported whatever the order


@pytest.mark.parametrize("sort", ["relevance", "distance", "newest"])
def test_paging_has_no_gaps_and_no_duplicates(index: SearchIndex, sort: str) -> None:
    docs = [gig(f"p{i:03d}", title="cleaning " + ("office" if i % 3 else "flat"), km=(i % 17) * 0.5 + 0.1,
                created_ms=i % 5) for i in range(137)]
    index.put_gigs(docs)
    query = GigSearch(text="cleaning office" if sort == "relevance" else "", point=HOME, radius_km=50,
                      sort=sort, limit=10)  # type: ignore[arg-type]
    seen: list[str] = []
    after = None
    for _ in range(30):
        page = index.search_gigs(query, after)
        seen += ids(page)
        after = page.after
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 137
    if sort == "distance":
        distances = [haversine_km(HOME.lat, HOME.lng, north((int(i[1:]) % 17) * 0.5 + 0.1).lat, HOME.lng)
                     for i in seen]
        assert distances == sorted(distances)


def test_deletes_and_versions(index: SearchIndex) -> None:
    index.put_gigs(CORPUS)
    assert index.put_gigs([gig("g01", title="Closed plumber gig", version=2, open=False)]) == 1
    assert "g01" not in ids(index.search_gigs(GigSearch(text="plumber")))
    # A late, older write never brings back a closed gig, nor overwrites a newer one.
    assert index.put_gigs([gig("g01", title="Plumber", version=1)]) == 0
    assert "g01" not in ids(index.search_gigs(GigSearch(text="plumber")))
    assert index.put_gigs([gig("g03", title="Hedge and roses", version=3)]) == 1
    assert index.put_gigs([gig("g03", title="Old hedge title", version=2)]) == 0
    assert ids(index.search_gigs(GigSearch(text="roses"))) == ["g03"]
    assert ids(index.search_gigs(GigSearch(text="old"))) == []
    index.clear("gigs")
    assert ids(index.search_gigs(GigSearch())) == []


# ---- deadlines: a gig past its deadline (at the search's now_ms) is left out by the query itself ----------

NOW_MS = 1_796_000_000_000  # 2026-11-30


def test_a_gig_past_its_deadline_is_left_out_and_comes_back_when_its_deadline_moves_on(index: SearchIndex) -> None:
    index.put_gigs([gig("d1", title="Roofer for a shed", deadline_ms=NOW_MS - 60_000, created_ms=1),
                    gig("d2", title="Roofer for a barn", deadline_ms=NOW_MS, created_ms=2),  # passes right now
                    gig("d3", title="Roofer for a porch", deadline_ms=NOW_MS + 1, created_ms=3),
                    gig("d4", title="Roofer for a garage", created_ms=4)])  # no deadline
    page = index.search_gigs(GigSearch(text="roofer", now_ms=NOW_MS))
    assert sorted(ids(page)) == ["d3", "d4"] and page.total == 2
    for query in (GigSearch(sort="newest", now_ms=NOW_MS), GigSearch(point=HOME, radius_km=5, now_ms=NOW_MS),
                  GigSearch(text="roofer", point=HOME, radius_km=5, sort="distance", now_ms=NOW_MS),
                  GigSearch(text="roofer", point=HOME, radius_km=5, now_ms=NOW_MS)):
        assert sorted(ids(index.search_gigs(query))) == ["d3", "d4"], query
    assert sorted(ids(index.search_gigs(GigSearch(text="roofer")))) == ["d1", "d2", "d3", "d4"]  # no now: all
    # The owner moves d1's deadline on and removes d2's: both are found again.
    index.put_gigs([gig("d1", title="Roofer for a shed", deadline_ms=NOW_MS + 86_400_000, version=2),
                    gig("d2", title="Roofer for a barn", version=2)])
    assert sorted(ids(index.search_gigs(GigSearch(text="roofer", now_ms=NOW_MS)))) == ["d1", "d2", "d3", "d4"]
    # A second later d3's deadline has passed, and so has the one d4 was given.
    index.put_gigs([gig("d4", title="Roofer for a garage", deadline_ms=NOW_MS + 1_000, version=2)])
    assert sorted(ids(index.search_gigs(GigSearch(text="roofer", now_ms=NOW_MS + 1_000)))) == ["d1", "d2"]


@pytest.mark.parametrize("sort", ["relevance", "distance", "newest"])
def test_past_deadline_gigs_that_rank_first_leave_full_pages_of_live_ones(index: SearchIndex, sort: str) -> None:
    # 40 past-deadline gigs rank above 12 live ones whatever the sort (a better title, nearer, newer).
    past = [gig(f"x{i:02d}", title="Roofer roofer for a roof", km=0.5, created_ms=100 + i,
                deadline_ms=NOW_MS - 1_000 * i) for i in range(40)]
    live = [gig(f"l{i:02d}", title="Roofer for a roof", km=2.0 + i / 10, created_ms=i,
                deadline_ms=NOW_MS + 1 if i % 2 else None) for i in range(12)]
    index.put_gigs(past + live)
    query = GigSearch(text="roofer" if sort == "relevance" else "", point=HOME, radius_km=10, sort=sort,
                      limit=5, now_ms=NOW_MS)  # type: ignore[arg-type]
    pages = every_page(index, query)
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sorted(h.id for p in pages for h in p) == sorted(g.id for g in live)
    assert index.search_gigs(query).total == 12


def test_freelancers(index: SearchIndex) -> None:
    people = [
        FreelancerDoc(id="f1", version=1, listed=True, headline="Plumber, 10 years", bio="Boilers and leaks",
                      skills=("plumbing",), location=north(1), hourly_rate=4_000, currency="EUR",
                      availability="available", rating=4.8),
        FreelancerDoc(id="f2", version=1, listed=True, headline="Gardener", bio="I also do small plumbing",
                      skills=("gardening", "plumbing"), location=north(2), hourly_rate=2_500, currency="EUR",
                      availability="busy", rating=4.2),
        FreelancerDoc(id="f3", version=1, listed=True, headline="Designer", bio="Logos", skills=("design",),
                      location=north(30), hourly_rate=6_000, currency="EUR", availability="available",
                      rating=5.0),
    ]
    index.put_freelancers(people)
    assert ids(index.search_freelancers(FreelancerSearch(text="plumber"))) == ["f1", "f2"]
    assert ids(index.search_freelancers(FreelancerSearch(skills=frozenset({"plumbing", "gardening"})))) == ["f2"]
    assert ids(index.search_freelancers(FreelancerSearch(max_rate=3_000))) == ["f2"]
    assert sorted(ids(index.search_freelancers(FreelancerSearch(availability="available")))) == ["f1", "f3"]
    assert ids(index.search_freelancers(FreelancerSearch(point=HOME, radius_km=10))) == ["f1", "f2"]
    assert ids(index.search_freelancers(FreelancerSearch(sort="rating"))) == ["f3", "f1", "f2"]
    index.put_freelancers([FreelancerDoc(id="f1", version=2, listed=False)])
    assert ids(index.search_freelancers(FreelancerSearch(text="plumber"))) == ["f2"]


# ---- ties: equal values are ordered by id, ascending, across page boundaries ------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulids(count: int, seed: int) -> list[str]:
    """Distinct random ULIDs (26 Crockford characters, first one 0-7), in no particular order."""
    import random

    rnd = random.Random(seed)
    found: set[str] = set()
    while len(found) < count:
        value = rnd.getrandbits(128)
        found.add("".join(_CROCKFORD[(value >> (5 * (25 - i))) & 31] for i in range(26)))
    return list(found)


def every_page(index: SearchIndex, query: GigSearch) -> list[list[SearchHit]]:
    pages: list[list[SearchHit]] = []
    after = None
    for _ in range(200):
        page = index.search_gigs(query, after)
        pages.append(page.hits)
        after = page.after
        if after is None:
            return pages
    raise AssertionError("paging did not end")


def tied_corpus(index: SearchIndex, count: int = 1_300) -> list[GigDoc]:
    """``count`` gigs with the same title, place and date in three batches, so equal values fill many pages
    (more than the embedded engine reads at first) and span several segments; a few rank above the rest."""
    names = ulids(count, seed=5)
    docs = [gig(name, title="Cleaner for the office" if i % 97 else "Cleaner for the office cleaner",
                description="weekly", km=2.0, created_ms=7) for i, name in enumerate(names)]
    for start in range(0, count, 450):
        index.put_gigs(docs[start:start + 450])
    return docs


def test_equal_scores_page_in_id_order(index: SearchIndex) -> None:
    docs = tied_corpus(index)
    everyone = sorted(d.id for d in docs)
    for text in ("cleaner office", "claener"):  # exact terms; a typo (fuzzy matches score alike)
        pages = every_page(index, GigSearch(text=text, limit=25))
        hits = [h for p in pages for h in p]
        assert sorted(h.id for h in hits) == everyone  # no gap, no duplicate
        assert hits == sorted(hits, key=lambda h: (-h.score, h.id))  # score descending, then id ascending
        assert all(len(p) == 25 for p in pages[:-1])
        # Equal scores run across page boundaries (what the order by id has to settle).
        assert sum(1 for a, b in zip(pages, pages[1:], strict=False) if a[-1].score == b[0].score) > 10
    exact = [h.id for p in every_page(index, GigSearch(text="cleaner office", limit=25)) for h in p]
    boosted = sorted(d.id for i, d in enumerate(docs) if i % 97 == 0)  # "cleaner" twice in the title
    assert exact[:len(boosted)] == boosted and exact[len(boosted):] == sorted(set(everyone) - set(boosted))


@pytest.mark.parametrize("low_ids_first", [True, False])
def test_equal_scores_written_in_id_ranges_page_in_id_order(index: SearchIndex, low_ids_first: bool) -> None:
    # Two writes of 3,000 equal gigs each, one of the lower ids and one of the higher (on tantivy: two
    # segments, and whichever it reads first, the page must start at the lowest ids).
    names = sorted(ulids(6_000, seed=21))
    halves = [names[:3_000], names[3_000:]]
    for half in halves if low_ids_first else halves[::-1]:
        index.put_gigs([gig(n, title="Welder for a gate") for n in half])
    pages = every_page(index, GigSearch(text="welder", limit=50))
    assert [h.id for p in pages for h in p] == names


def test_equal_values_page_in_id_order_for_every_sort(index: SearchIndex) -> None:
    docs = tied_corpus(index)
    everyone = sorted(d.id for d in docs)
    # Newest: every gig has the same date. Distance: the same place. Text + radius: equal scores in a disc.
    for query in (GigSearch(sort="newest", limit=40), GigSearch(point=HOME, radius_km=5, sort="distance", limit=40),
                  GigSearch(text="weekly", point=HOME, radius_km=5, limit=40)):
        pages = every_page(index, query)
        assert [h.id for p in pages for h in p] == everyone, query
        assert len(pages) == math.ceil(len(everyone) / 40)


def test_equal_scores_in_a_radius_page_in_id_order(index: SearchIndex) -> None:
    # 1,300 equal gigs, every third one outside the radius: the pages hold the others, in id order.
    names = ulids(1_300, seed=13)
    docs = [gig(n, title="Gardener for a garden", km=8.0 if i % 3 == 0 else 2.0) for i, n in enumerate(names)]
    for start in range(0, len(docs), 450):
        index.put_gigs(docs[start:start + 450])
    inside = sorted(d.id for i, d in enumerate(docs) if i % 3)
    for text in ("gardener", "gardner"):
        pages = every_page(index, GigSearch(text=text, point=HOME, radius_km=5, limit=30))
        assert [h.id for p in pages for h in p] == inside
        assert all(h.distance_km is not None and h.distance_km <= 5 for p in pages for h in p)


def test_newest_pages_by_date_then_id(index: SearchIndex) -> None:
    names = ulids(1_300, seed=3)
    docs = [gig(n, title="Driver for an airport run", created_ms=i // 3) for i, n in enumerate(names)]
    for start in range(0, len(docs), 450):
        index.put_gigs(docs[start:start + 450])
    expected = [d.id for d in sorted(docs, key=lambda d: (-d.created_ms, d.id))]
    pages = every_page(index, GigSearch(sort="newest", limit=20))
    assert [h.id for p in pages for h in p] == expected


@pytest.mark.parametrize("sort", ["newest", "distance"])
def test_a_cursor_keeps_its_place_among_equal_values(index: SearchIndex, sort: str) -> None:
    # (A text score moves as the corpus grows, so a cursor is fixed by a date or a distance.)
    names = sorted(ulids(60, seed=9))
    query = GigSearch(point=HOME, radius_km=5, sort=sort, limit=10)  # type: ignore[arg-type]
    index.put_gigs([gig(n, title="Painter for a fence", created_ms=3) for n in names[::2]])  # every other id
    first = index.search_gigs(query)
    assert ids(first) == names[:20:2]
    # Equal gigs arrive on both sides of the cursor: the next page starts right after it, in id order.
    index.put_gigs([gig(n, title="Painter for a fence", created_ms=3) for n in names[1::2]])
    rest: list[str] = []
    after = first.after
    while after is not None:
        page = index.search_gigs(query, after)
        rest += ids(page)
        after = page.after
    assert rest == [n for n in names if n > names[18]]


def test_ids_that_are_not_ulids_order_as_strings(index: SearchIndex) -> None:
    # Mixed shapes tie on score; they still come in plain string order (code points), page after page.
    names = ["0", "00000000000000000000000000", "00000000000000000000000000a", "01J", "01J9ZZZZZZZZZZZZZZZZZZZZZZ",
             "01JA", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "8", "G-1", "Z", "_x", "a", "gig-1", "gig-10", "gig-2", "zz", "~"]
    index.put_gigs([gig(n, title="Tiler for a bathroom") for n in reversed(names)])
    pages = every_page(index, GigSearch(text="tiler", limit=3))
    assert [h.id for p in pages for h in p] == sorted(names)
