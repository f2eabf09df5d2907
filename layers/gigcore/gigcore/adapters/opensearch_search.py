"""The cloud :class:`~gigcore.ports.search.SearchIndex`: OpenSearch through opensearch-py (``docs/search.md``).

Two indexes, ``<prefix>-gigs`` and ``<prefix>-freelancers``. Writes use external versioning (the gig's or
user's version), so an older write is refused by the engine itself (a 409, counted as not applied); a delete
is written as a tombstone document (``state: gone``) with its version for the same reason. Queries are
built by the pure functions below (unit-tested against the query DSL shapes) and paged with
``search_after`` on the sort values plus ``id``.

A gig's ``deadline`` (a ``long``, ms since the epoch) is left out when it has none; a gig search with a
moment excludes gigs whose deadline is not after it (``must_not`` a range: a gig without one is kept). A
writer puts the mapping on an index that exists already (once per process), so an index created before a
field was added gets it; documents indexed before then lack the field and count as having no deadline until they are
written again or reindexed (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gigcore.domain import geo
from gigcore.domain.errors import RetryableError, UpstreamUnavailableError
from gigcore.ports.search import (
    FreelancerDoc,
    FreelancerSearch,
    GeoPoint,
    GigDoc,
    GigSearch,
    Kind,
    SearchHit,
    SearchPage,
)

GIG_FIELDS = ["title^2", "description", "skills"]
FREELANCER_FIELDS = ["headline^2", "bio", "skills"]

GIG_MAPPING: dict[str, Any] = {"properties": {
    "id": {"type": "keyword"}, "state": {"type": "keyword"}, "title": {"type": "text", "analyzer": "english"},
    "description": {"type": "text", "analyzer": "english"}, "skills": {"type": "text", "analyzer": "english"},
    "skill": {"type": "keyword"}, "category": {"type": "keyword"}, "location": {"type": "geo_point"},
    "budget_min": {"type": "long"}, "budget_max": {"type": "long"}, "currency": {"type": "keyword"},
    "created": {"type": "long"}, "deadline": {"type": "long"}}}
FREELANCER_MAPPING: dict[str, Any] = {"properties": {
    "id": {"type": "keyword"}, "state": {"type": "keyword"}, "headline": {"type": "text", "analyzer": "english"},
    "bio": {"type": "text", "analyzer": "english"}, "skills": {"type": "text", "analyzer": "english"},
    "skill": {"type": "keyword"}, "location": {"type": "geo_point"}, "rate": {"type": "long"},
    "currency": {"type": "keyword"}, "availability": {"type": "keyword"}, "rating": {"type": "float"}}}


def _lat_lon(point: GeoPoint) -> dict[str, float]:
    return {"lat": point.lat, "lon": point.lng}


def _text(text: str, fields: list[str]) -> dict[str, Any]:
    if not text.strip():
        return {"match_all": {}}
    return {"multi_match": {"query": text, "fields": fields, "type": "best_fields", "fuzziness": "AUTO"}}


def _sort(order: str, point: GeoPoint | None, field_sort: str) -> list[Any]:
    if order == "distance" and point is not None:
        return [{"_geo_distance": {"location": _lat_lon(point), "order": "asc", "unit": "km"}}, {"id": "asc"}]
    if order == "score":
        return ["_score", {"id": "asc"}]
    return [{field_sort: "desc"}, {"id": "asc"}]


def _order(sort: str, has_text: bool, point: GeoPoint | None) -> str:
    """As the embedded adapter: relevance without text ranks nearest first with a point, else by the field."""
    if sort == "distance" or (sort == "relevance" and not has_text and point is not None):
        return "distance"
    return "score" if sort == "relevance" and has_text else "field"


def _search_body(must: dict[str, Any], filters: list[dict[str, Any]], sort: list[Any], limit: int,
          after: Mapping[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": {"bool": {"must": [must], "filter": [{"term": {"state": "open"}}, *filters]}},
                            "sort": sort, "size": limit + 1, "track_total_hits": 10_000, "track_scores": True,
                            "_source": ["id", "location"]}
    if after:
        body["search_after"] = list(after["sort"])
    return body


def _radius_filter(point: GeoPoint | None, radius_km: float | None) -> list[dict[str, Any]]:
    if point is None or radius_km is None:
        return []
    return [{"geo_distance": {"distance": f"{radius_km}km", "location": _lat_lon(point)}}]


def gig_query(query: GigSearch, after: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The search request body of a gig search (query DSL)."""
    filters = _radius_filter(query.point, query.radius_km)
    if query.category:
        filters.append({"term": {"category": query.category.lower()}})
    if query.skills:
        filters.append({"terms": {"skill": sorted(query.skills)}})
    if query.budget_min is not None:
        filters.append({"range": {"budget_max": {"gte": query.budget_min}}})
    if query.budget_max is not None:
        filters.append({"range": {"budget_min": {"lte": query.budget_max}}})
    if query.currency:
        filters.append({"term": {"currency": query.currency}})
    order = _order(query.sort, bool(query.text.strip()), query.point)
    body = _search_body(_text(query.text, GIG_FIELDS), filters, _sort(order, query.point, "created"), query.limit,
                        after)
    if query.now_ms is not None:  # past its deadline; a gig without one (no field) is never excluded
        body["query"]["bool"]["must_not"] = [{"range": {"deadline": {"lte": query.now_ms}}}]
    return body


def freelancer_query(query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> dict[str, Any]:
    filters = _radius_filter(query.point, query.radius_km)
    filters += [{"term": {"skill": s}} for s in sorted(query.skills)]
    if query.max_rate is not None:
        filters.append({"range": {"rate": {"lte": query.max_rate}}})
    if query.currency:
        filters.append({"term": {"currency": query.currency}})
    if query.availability:
        filters.append({"term": {"availability": query.availability}})
    order = _order(query.sort, bool(query.text.strip()), query.point)
    return _search_body(_text(query.text, FREELANCER_FIELDS), filters, _sort(order, query.point, "rating"), query.limit,
                        after)


def gig_source(doc: GigDoc) -> dict[str, Any]:
    if not doc.open:
        return {"id": doc.id, "state": "gone"}
    return {"id": doc.id, "state": "open", "title": doc.title, "description": doc.description,
            "skills": " ".join(doc.skills), "skill": [s.lower() for s in doc.skills],
            "category": doc.category.lower(), "budget_min": doc.budget_min, "budget_max": doc.budget_max,
            "currency": doc.currency, "created": doc.created_ms} | (
        {"location": _lat_lon(doc.location)} if doc.location else {}) | (
        {"deadline": doc.deadline_ms} if doc.deadline_ms is not None else {})


def freelancer_source(doc: FreelancerDoc) -> dict[str, Any]:
    if not doc.listed:
        return {"id": doc.id, "state": "gone"}
    return {"id": doc.id, "state": "open", "headline": doc.headline, "bio": doc.bio, "skills": " ".join(doc.skills),
            "skill": [s.lower() for s in doc.skills], "rate": doc.hourly_rate, "currency": doc.currency,
            "availability": doc.availability, "rating": float(doc.rating)} | (
        {"location": _lat_lon(doc.location)} if doc.location else {})


def bulk_body(index: str, docs: Sequence[tuple[str, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """``_bulk`` lines: each document indexed under its id with its version as an external version."""
    lines: list[dict[str, Any]] = []
    for doc_id, version, source in docs:
        lines.append({"index": {"_index": index, "_id": doc_id, "version": version, "version_type": "external"}})
        lines.append(source)
    return lines


def client_for(url: str, region: str, *, local: bool, service: str = "es") -> Any:
    """An opensearch-py client; SigV4-signed with boto3's credentials unless ``local``.

    ``service`` is the signing name: ``es`` for an OpenSearch Service domain, ``aoss`` for an OpenSearch
    Serverless collection (a request signed for the other is refused with 403).
    """
    import boto3
    from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth

    if service not in ("es", "aoss"):
        raise ValueError(f"unknown OpenSearch signing service {service!r}")
    auth = None if local else Urllib3AWSV4SignerAuth(boto3.Session().get_credentials(), region, service)
    return OpenSearch(hosts=[url], http_auth=auth, use_ssl=url.startswith("https"), verify_certs=True,
                      timeout=5, max_retries=2, retry_on_timeout=True)


class OpenSearchSearchIndex:
    """:class:`~gigcore.ports.search.SearchIndex` on OpenSearch."""

    def __init__(self, client: Any, prefix: str = "gigconnect", *, refresh: bool = False) -> None:
        self._client = client
        self._names: dict[str, str] = {"gigs": f"{prefix}-gigs", "freelancers": f"{prefix}-freelancers"}
        self._refresh = refresh  # tests refresh on write; production relies on the 1 s refresh interval
        self._ready: set[tuple[str, bool]] = set()

    def _request(self, call: Callable[..., Any], **kwargs: Any) -> Any:
        """``call(**kwargs)`` on the client, its errors translated."""
        from opensearchpy.exceptions import ConnectionError as OsConnectionError
        from opensearchpy.exceptions import ConnectionTimeout, TransportError

        try:
            return call(**kwargs)
        except (ConnectionTimeout, OsConnectionError) as exc:
            raise UpstreamUnavailableError("The search service is unavailable.") from exc
        except TransportError as exc:
            if getattr(exc, "status_code", None) == 429:
                raise RetryableError("The search service is busy; try again shortly.") from exc
            raise UpstreamUnavailableError("The search service is unavailable.") from exc

    def reachable(self) -> None:
        """One request signed as a search's is, which the API's role may make (``HEAD`` of the gig index:
        es:ESHttpHead, aoss:DescribeIndex). Answered (the index there or not yet), the service is up; refused (403:
        a wrong role or signature), failing or out of reach, this raises the domain's error, as a search would."""
        self._request(self._client.indices.exists, index=self._names["gigs"])

    def _ensure(self, kind: str, *, writing: bool) -> str:
        """The index of ``kind``, created if missing. A writer (the indexing consumer, whose role may update
        an index: es:ESHttpPut, aoss:UpdateIndex) also puts the mapping on an index that exists: additive, so
        fields added since it was created (``deadline``) are put and the others restated as they are. A reader
        (the API, whose role may not) never does: a query on a field the index has not mapped yet matches no
        document, so the deadline's ``must_not`` excludes none until the first write has put it."""
        name = self._names[kind]
        if (name, writing) not in self._ready:
            mapping = GIG_MAPPING if kind == "gigs" else FREELANCER_MAPPING
            indices = self._client.indices
            if not self._request(indices.exists, index=name):  # 400: another process created it meanwhile
                self._request(indices.create, index=name, body={"mappings": mapping}, ignore=400)
            elif writing:
                self._request(indices.put_mapping, index=name, body=mapping)
            self._ready.add((name, writing))
        return name

    def _put(self, kind: str, docs: Sequence[tuple[str, int, dict[str, Any]]]) -> int:
        if not docs:
            return 0
        name = self._ensure(kind, writing=True)
        answer = self._request(self._client.bulk, body=bulk_body(name, docs),
                               refresh="true" if self._refresh else "false")
        applied = 0
        for item in answer.get("items", []):
            status = int(next(iter(item.values())).get("status", 500))
            if status in (200, 201):
                applied += 1
            elif status == 429:
                raise RetryableError("The search service is busy; try again shortly.")
            elif status != 409:  # 409: a newer version is indexed already
                raise UpstreamUnavailableError("The search service refused a document.")
        return applied

    def put_gigs(self, docs: Sequence[GigDoc]) -> int:
        return self._put("gigs", [(d.id, d.version, gig_source(d)) for d in docs])

    def put_freelancers(self, docs: Sequence[FreelancerDoc]) -> int:
        return self._put("freelancers", [(d.id, d.version, freelancer_source(d)) for d in docs])

    def clear(self, kind: Kind) -> None:
        name = self._ensure(kind, writing=True)
        self._request(self._client.delete_by_query, index=name, body={"query": {"match_all": {}}}, refresh=True)

    def _search(self, kind: str, body: dict[str, Any], limit: int, point: GeoPoint | None) -> SearchPage:
        answer = self._request(self._client.search, index=self._ensure(kind, writing=False), body=body)
        raw = answer["hits"]["hits"]
        hits = []
        for h in raw[:limit]:
            loc = (h.get("_source") or {}).get("location")
            distance = (geo.haversine_km(point.lat, point.lng, float(loc["lat"]), float(loc["lon"]))
                        if point is not None and loc else None)
            hits.append(SearchHit(id=str(h["_id"]), score=float(h.get("_score") or 0.0), distance_km=distance))
        after = {"sort": raw[limit - 1]["sort"]} if len(raw) > limit else None
        total = answer["hits"].get("total", {})
        return SearchPage(hits=hits, after=after, total=int(total.get("value", 0) if isinstance(total, dict)
                                                             else total))

    def search_gigs(self, query: GigSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        return self._search("gigs", gig_query(query, after), query.limit, query.point)

    def search_freelancers(self, query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        return self._search("freelancers", freelancer_query(query, after), query.limit, query.point)
