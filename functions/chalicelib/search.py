"""``/search/gigs`` (and its cursor bound to the query): full text, place and filters over open gigs."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.gigs import _cursor, _position
from chalicelib.http import principal, query_params, route
from gigcore import bootstrap
from gigcore.ports.search import GeoPoint, GigSearch
from gigcore.schemas.gigs import gig_out
from gigcore.schemas.openapi import QueryParam
from gigcore.schemas.search import SearchGigOut, SearchGigPageOut, SearchGigsParams
from gigcore.services import search

bp = Blueprint(__name__)

_NUMBER = {"type": "number"}
_INTEGER = {"type": "integer"}
_COMMON = (
    QueryParam("q", "Words to look for (typos tolerated); empty matches everything"),
    QueryParam("lat", "Latitude of the point (with lng and radius_km)", schema=_NUMBER),
    QueryParam("lng", "Longitude of the point", schema=_NUMBER),
    QueryParam("radius_km", "0.1..100, required with a point", schema=_NUMBER),
    QueryParam("skills", "Comma-separated skill names"),
    QueryParam("limit", "1..100, default 20", schema=_INTEGER),
    QueryParam("cursor", "next_cursor of the previous page"),
)


@route(bp, "/search/gigs", summary="Open gigs by text, place and filters", response=SearchGigPageOut,
       query=(*_COMMON, QueryParam("category"), QueryParam("budget_min", schema=_INTEGER),
              QueryParam("budget_max", schema=_INTEGER), QueryParam("currency", "ISO 4217 of the budget bounds"),
              QueryParam("sort", "relevance (default), distance or newest")),
       errors=(400, 422), tag="search")
def search_gigs() -> SearchGigPageOut:
    principal()
    raw = query_params()
    params = SearchGigsParams.model_validate(raw)
    point = GeoPoint(params.lat, params.lng) if params.lat is not None and params.lng is not None else None
    query = GigSearch(text=params.q, point=point, radius_km=params.radius_km if point else None,
                      category=params.category, skills=frozenset(params.skill_list), budget_min=params.budget_min,
                      budget_max=params.budget_max, currency=params.currency, sort=params.sort, limit=params.limit)
    container = bootstrap.container()
    found = search.search_gigs(query, _position(params.cursor, "/search/gigs", raw), index=container.search_index,
                               gigs=container.gigs)
    items = [SearchGigOut(**dict(gig_out(hit.gig)), distance_km=hit.distance_km, score=hit.score)
             for hit in found.items]
    return SearchGigPageOut(items=items, next_cursor=_cursor(dict(found.after) if found.after else None,
                                                             "/search/gigs", raw))
