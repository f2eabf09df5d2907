"""``/gigs``, ``/gigs/{gig_id}``, ``/gigs/nearby``, ``/me/gigs`` and ``/freelancers/nearby``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.http import body, principal, query_params, route
from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.schemas.gigs import (
    CreateGigRequest,
    GigOut,
    GigPageOut,
    MyGigsParams,
    NearbyFreelancerOut,
    NearbyFreelancerPageOut,
    NearbyFreelancersParams,
    NearbyGigPageOut,
    NearbyGigsParams,
    PatchGigRequest,
    gig_out,
    nearby_gig_out,
)
from gigcore.schemas.users import public_user_out
from gigcore.services import gigs
from gigcore.services.applications import OpenApplicationsRejector
from gigcore.services.nearby import GeoFilter, NearbyQuery

if TYPE_CHECKING:
    from gigcore.cache import TtlLruCache
    from gigcore.domain.gigs import Gig
    from gigcore.ports.gigs import GigReader

bp = Blueprint(__name__)


def _scope(path: str) -> str:
    return f"{path}:{principal().user_id}"


def _position(cursor: str | None, path: str, params: dict[str, str]) -> dict[str, Any] | None:
    if not cursor:
        return None
    return bootstrap.container().cursors.decode(cursor, scope=_scope(path), params=params)


def _cursor(position: dict[str, Any] | None, path: str, params: dict[str, str]) -> str | None:
    if position is None:
        return None
    return bootstrap.container().cursors.encode(position, scope=_scope(path), params=params)


@route(bp, "/gigs", method="POST", summary="Post a gig", request=CreateGigRequest, response=GigOut, status=201,
       provides={"gig_id": "$response.body#/id"}, errors=(403, 422), tag="gigs")
def create_gig() -> GigOut:
    cmd = body(CreateGigRequest)
    return gig_out(gigs.create_gig(principal(), cmd, uow=bootstrap.container().unit_of_work, now=utc_now()))


class _CachedGigReads:
    """The gigs of a nearby page through the instance's gig cache (the one ``GET /gigs/{id}`` reads), the
    misses in one batch read, kept for the next page or the gig the caller opens next. A copy may be as old
    as ``GET /gigs/{id}``'s may (docs/scaling.md "Caching"); a gig that closed has left the geo index in the
    same transaction, so it is not among the ids asked for."""

    def __init__(self, gigs: GigReader, cache: TtlLruCache[str, Gig]) -> None:
        self._gigs = gigs
        self._cache = cache

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        return self._cache.get_many_or_load(gig_ids, self._gigs.get_many)


@route(bp, "/gigs/nearby", summary="Open gigs near a point, nearest first", response=NearbyGigPageOut,
       query_model=NearbyGigsParams, errors=(400, 422), tag="gigs")
def gigs_nearby() -> NearbyGigPageOut:
    principal()
    raw = query_params()
    params = NearbyGigsParams.model_validate(raw)
    filters = GeoFilter(category=params.category.lower() if params.category else None,
                        skills_any=frozenset(params.skill_list), amount_min=params.budget_min,
                        amount_max=params.budget_max, currency=params.currency)
    query = NearbyQuery(lat=params.lat, lng=params.lng, radius_km=params.radius_km, filters=filters,
                        limit=params.limit)
    container = bootstrap.container()
    reads: Any = _CachedGigReads(container.gigs, container.gig_cache)
    found = gigs.gigs_near(query, _position(params.cursor, "/gigs/nearby", raw), index=container.gig_geo,
                           gigs=reads, now=utc_now())
    return NearbyGigPageOut(items=[nearby_gig_out(gig, d) for gig, d in found.items],
                            next_cursor=_cursor(found.next_position, "/gigs/nearby", raw))


@route(bp, "/gigs/{gig_id}", summary="A gig", response=GigOut, errors=(404,), tag="gigs",
       max_age=lambda: bootstrap.settings().gig_cache_ttl_seconds)
def get_gig(gig_id: str) -> GigOut:
    principal()
    container = bootstrap.container()
    return gig_out(gigs.get_gig(gig_id, gigs=container.gigs, cache=container.gig_cache))


@route(bp, "/gigs/{gig_id}", method="PATCH", summary="Change an open gig", request=PatchGigRequest,
       response=GigOut, errors=(403, 404, 409, 422), tag="gigs")
def patch_gig(gig_id: str) -> GigOut:
    cmd = body(PatchGigRequest)
    container = bootstrap.container()
    return gig_out(gigs.update_gig(principal(), gig_id, cmd, uow=container.unit_of_work, now=utc_now(),
                                   cache=container.gig_cache))


@route(bp, "/gigs/{gig_id}/cancel", method="POST", summary="Cancel an open gig", response=GigOut,
       errors=(403, 404, 409), tag="gigs")
def cancel_gig(gig_id: str) -> GigOut:
    container = bootstrap.container()
    rejector = OpenApplicationsRejector(container.application_ports)
    return gig_out(gigs.cancel_gig(principal(), gig_id, uow=container.unit_of_work, now=utc_now(), rejector=rejector,
                                   cache=container.gig_cache))


@route(bp, "/me/gigs", summary="My gigs, newest first", response=GigPageOut,
       query_model=MyGigsParams, errors=(400, 403, 422), tag="gigs")
def my_gigs() -> GigPageOut:
    raw = query_params()
    params = MyGigsParams.model_validate(raw)
    after = _position(params.cursor, "/me/gigs", raw)
    page = gigs.my_gigs(principal(), status=params.status, limit=params.limit,
                        after={str(k): str(v) for k, v in after.items()} if after else None,
                        gigs=bootstrap.container().gigs)
    return GigPageOut(items=[gig_out(g) for g in page.gigs], next_cursor=_cursor(page.after, "/me/gigs", raw))


@route(bp, "/freelancers/nearby", summary="Freelancers near a point, nearest first",
       response=NearbyFreelancerPageOut,
       query_model=NearbyFreelancersParams, errors=(400, 422), tag="users")
def freelancers_nearby() -> NearbyFreelancerPageOut:
    principal()
    raw = query_params()
    params = NearbyFreelancersParams.model_validate(raw)
    filters = GeoFilter(skills_all=frozenset(params.skill_list), amount_max=params.max_rate,
                        currency=params.currency, availability=params.availability)
    query = NearbyQuery(lat=params.lat, lng=params.lng, radius_km=params.radius_km, filters=filters,
                        limit=params.limit)
    container = bootstrap.container()
    found = gigs.freelancers_near(query, _position(params.cursor, "/freelancers/nearby", raw),
                                  index=container.freelancer_geo, users=container.users)
    items = [NearbyFreelancerOut(**dict(public_user_out(user)), distance_km=round(d, 4)) for user, d in found.items]
    return NearbyFreelancerPageOut(items=items, next_cursor=_cursor(found.next_position, "/freelancers/nearby", raw))
