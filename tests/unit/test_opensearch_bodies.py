"""The OpenSearch adapter's requests, checked against the query DSL shapes (a fake client, no cluster)."""

from __future__ import annotations

from typing import Any

from gigcore.adapters.opensearch_search import (
    GIG_MAPPING,
    OpenSearchSearchIndex,
    bulk_body,
    freelancer_query,
    gig_query,
    gig_source,
)
from gigcore.ports.search import FreelancerSearch, GeoPoint, GigDoc, GigSearch

POINT = GeoPoint(6.45, 3.39)


def test_text_is_a_fuzzy_multi_match_over_the_boosted_title() -> None:
    body = gig_query(GigSearch(text="plumbr needed"))
    assert body["query"]["bool"]["must"] == [{"multi_match": {
        "query": "plumbr needed", "fields": ["title^2", "description", "skills"], "type": "best_fields",
        "fuzziness": "AUTO"}}]
    assert body["query"]["bool"]["filter"] == [{"term": {"state": "open"}}]
    assert body["sort"] == ["_score", {"id": "asc"}]
    assert body["size"] == 21 and "search_after" not in body


def test_every_filter_is_a_bool_filter_clause() -> None:
    body = gig_query(GigSearch(text="tap", point=POINT, radius_km=5, category="Plumbing",
                               skills=frozenset({"tiling", "plumbing"}), budget_min=1000, budget_max=5000,
                               currency="NGN", limit=10))
    assert body["query"]["bool"]["filter"] == [
        {"term": {"state": "open"}},
        {"geo_distance": {"distance": "5km", "location": {"lat": 6.45, "lon": 3.39}}},
        {"term": {"category": "plumbing"}},
        {"terms": {"skill": ["plumbing", "tiling"]}},
        {"range": {"budget_max": {"gte": 1000}}},  # budgets overlap: max >= asked min ...
        {"range": {"budget_min": {"lte": 5000}}},  # ... and min <= asked max
        {"term": {"currency": "NGN"}},
    ]
    assert body["size"] == 11


def test_a_search_with_a_moment_excludes_gigs_whose_deadline_is_not_after_it() -> None:
    body = gig_query(GigSearch(text="tap", currency="NGN", now_ms=1_796_000_000_000))
    # must_not a range: a gig without a deadline (no field) is not matched by the range, so it is kept.
    assert body["query"]["bool"]["must_not"] == [{"range": {"deadline": {"lte": 1_796_000_000_000}}}]
    assert body["query"]["bool"]["filter"] == [{"term": {"state": "open"}}, {"term": {"currency": "NGN"}}]
    assert "must_not" not in gig_query(GigSearch(text="tap"))["query"]["bool"]  # no moment: no deadline compared
    assert GIG_MAPPING["properties"]["deadline"] == {"type": "long"}
    assert gig_source(GigDoc(id="a", version=1, open=True, deadline_ms=5))["deadline"] == 5
    assert "deadline" not in gig_source(GigDoc(id="a", version=1, open=True))  # none: the field is absent


def test_distance_sort_and_search_after() -> None:
    body = gig_query(GigSearch(point=POINT, radius_km=5, sort="distance"), {"sort": [1.25, "01J"]})
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"] == [{"_geo_distance": {"location": {"lat": 6.45, "lon": 3.39}, "order": "asc", "unit": "km"}},
                            {"id": "asc"}]
    assert body["search_after"] == [1.25, "01J"]
    assert gig_query(GigSearch(sort="newest"))["sort"] == [{"created": "desc"}, {"id": "asc"}]


def test_freelancer_filters_and_rating_sort() -> None:
    body = freelancer_query(FreelancerSearch(text="plumber", skills=frozenset({"a", "b"}), max_rate=900,
                                             availability="available", sort="rating"))
    assert body["query"]["bool"]["must"][0]["multi_match"]["fields"] == ["headline^2", "bio", "skills"]
    assert body["query"]["bool"]["filter"][1:] == [{"term": {"skill": "a"}}, {"term": {"skill": "b"}},
                                                   {"range": {"rate": {"lte": 900}}},
                                                   {"term": {"availability": "available"}}]
    assert body["sort"] == [{"rating": "desc"}, {"id": "asc"}]


class FakeClient:
    """Answers as OpenSearch would for the calls the adapter makes, recording each."""

    def __init__(self, search_answer: dict[str, Any] | None = None, *, existing: bool = True) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.search_answer = search_answer or {"hits": {"total": {"value": 0}, "hits": []}}
        self.indices = self
        self.existing = existing

    def exists(self, **kw: Any) -> bool:
        return self.existing

    def create(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("create", kw))
        self.existing = True
        return {"acknowledged": True}

    def put_mapping(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("put_mapping", kw))
        return {"acknowledged": True}

    def bulk(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("bulk", kw))
        lines = kw["body"][0::2]
        return {"items": [{"index": {"status": 409 if line["index"]["version"] == 1 else 201}} for line in lines]}

    def search(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("search", kw))
        return self.search_answer


def test_writes_use_external_versions_and_a_refused_older_write_is_not_applied() -> None:
    client = FakeClient()
    index = OpenSearchSearchIndex(client, prefix="t")
    applied = index.put_gigs([GigDoc(id="a", version=1, open=True, title="x"), GigDoc(id="b", version=3, open=False)])
    assert applied == 1
    _, call = client.calls[1]
    assert call["body"][0] == {"index": {"_index": "t-gigs", "_id": "a", "version": 1, "version_type": "external"}}
    assert call["body"][3] == {"id": "b", "state": "gone"}  # a delete is a tombstone with its version
    assert bulk_body("i", []) == []


def test_a_page_carries_the_last_hits_sort_values_as_its_cursor() -> None:
    hits = [{"_id": f"g{i}", "_score": 2.0 - i / 10, "_source": {"id": f"g{i}", "location": {"lat": 6.45, "lon": 3.39}},
             "sort": [2.0 - i / 10, f"g{i}"]} for i in range(3)]
    index = OpenSearchSearchIndex(FakeClient({"hits": {"total": {"value": 3}, "hits": hits}}))
    page = index.search_gigs(GigSearch(text="x", point=POINT, radius_km=1, limit=2))
    assert [h.id for h in page.hits] == ["g0", "g1"] and page.after == {"sort": [1.9, "g1"]}
    assert page.hits[0].distance_km == 0.0 and page.total == 3


def test_an_existing_index_gets_the_fields_added_to_the_mapping_since_it_was_created_from_its_writer() -> None:
    client = FakeClient(existing=True)
    index = OpenSearchSearchIndex(client, prefix="t")
    index.put_gigs([GigDoc(id="a", version=2, open=True, deadline_ms=9)])
    index.put_gigs([GigDoc(id="b", version=2, open=True)])
    assert [name for name, _ in client.calls] == ["put_mapping", "bulk", "bulk"]  # once per process
    assert client.calls[0][1] == {"index": "t-gigs", "body": GIG_MAPPING}
    assert GIG_MAPPING["properties"]["deadline"] == {"type": "long"}


def test_a_search_never_changes_the_mapping_its_role_may_not_update() -> None:
    """The API's role may read an index and create a missing one, not update one (infra/resources.yaml:
    es:ESHttpGet/Head/Post on a domain; aoss:ReadDocument, DescribeIndex, CreateIndex in a collection)."""
    client = FakeClient(existing=True)
    index = OpenSearchSearchIndex(client, prefix="t")
    index.search_gigs(GigSearch(text="x", now_ms=1))
    index.search_gigs(GigSearch(text="y", now_ms=2))
    assert [name for name, _ in client.calls] == ["search", "search"]


def test_a_missing_index_is_created_with_the_mapping() -> None:
    client = FakeClient(existing=False)
    OpenSearchSearchIndex(client, prefix="t").put_gigs([GigDoc(id="a", version=2, open=True, deadline_ms=9)])
    assert [name for name, _ in client.calls] == ["create", "bulk"]
    assert client.calls[0][1]["body"] == {"mappings": GIG_MAPPING}
    assert client.calls[1][1]["body"][1]["deadline"] == 9
