"""``/search/gigs`` and ``/search/freelancers``: full text, place and filters, with a cursor bound to the query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import principal, query_params, route
from chalicelib.imports import on_first_use
from chalicelib.paging import cursor_at, position
from gigcore import bootstrap
from gigcore.schemas.gigs import gig_out
from gigcore.schemas.search import (
    SearchFreelancerOut,
    SearchFreelancerPageOut,
    SearchFreelancersParams,
    SearchGigOut,
    SearchGigPageOut,
    SearchGigsParams,
)
from gigcore.schemas.users import public_user_out

if TYPE_CHECKING:
    from gigcore.ports import search as queries
    from gigcore.services import search
else:
    queries = on_first_use("gigcore.ports.search")
    search = on_first_use("gigcore.services.search")


bp = Blueprint(__name__)


@route(bp, "/search/gigs", summary="Open gigs by text, place and filters", response=SearchGigPageOut,
       query_model=SearchGigsParams, errors=(400, 422), tag="search")
def search_gigs() -> SearchGigPageOut:
    caller = principal().user_id
    raw = query_params()
    params = SearchGigsParams.model_validate(raw)
    point = queries.GeoPoint(params.lat, params.lng) if params.lat is not None and params.lng is not None else None
    query = queries.GigSearch(text=params.q, point=point, radius_km=params.radius_km if point else None,
                      category=params.category, skills=frozenset(params.skill_list), budget_min=params.budget_min,
                      budget_max=params.budget_max, currency=params.currency, sort=params.sort, limit=params.limit)
    container = bootstrap.container()
    found = search.search_gigs(query, position(params.cursor, "/search/gigs", caller, raw),
                               index=container.search_index, gigs=container.gigs, now=container.clock.now())
    items = [SearchGigOut(**dict(gig_out(hit.gig)), distance_km=hit.distance_km, score=hit.score)
             for hit in found.items]
    return SearchGigPageOut(items=items, next_cursor=cursor_at(found.after, "/search/gigs", caller, raw))


@route(bp, "/search/freelancers", summary="Freelancers by text, place and filters", response=SearchFreelancerPageOut,
       query_model=SearchFreelancersParams, errors=(400, 422), tag="search")
def search_freelancers() -> SearchFreelancerPageOut:
    caller = principal().user_id
    raw = query_params()
    params = SearchFreelancersParams.model_validate(raw)
    point = queries.GeoPoint(params.lat, params.lng) if params.lat is not None and params.lng is not None else None
    query = queries.FreelancerSearch(text=params.q, point=point, radius_km=params.radius_km if point else None,
                             skills=frozenset(params.skill_list), max_rate=params.max_rate, currency=params.currency,
                             availability=params.availability, sort=params.sort, limit=params.limit)
    container = bootstrap.container()
    found = search.search_freelancers(query, position(params.cursor, "/search/freelancers", caller, raw),
                                      index=container.search_index, users=container.users)
    items = [SearchFreelancerOut(**dict(public_user_out(hit.user)), distance_km=hit.distance_km, score=hit.score)
             for hit in found.items]
    return SearchFreelancerPageOut(items=items, next_cursor=cursor_at(found.after, "/search/freelancers", caller, raw))
