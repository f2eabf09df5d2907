"""``/gigs``, ``/gigs/{gig_id}``, ``/gigs/nearby``, ``/me/gigs`` and ``/freelancers/nearby``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import body, principal, query_params, route
from chalicelib.imports import on_first_use
from chalicelib.paging import cursor_at, position
from gigcore import bootstrap
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

if TYPE_CHECKING:
    from gigcore.services import gigs, nearby
else:
    gigs = on_first_use("gigcore.services.gigs")
    nearby = on_first_use("gigcore.services.nearby")


bp = Blueprint(__name__)


@route(bp, "/gigs", method="POST", summary="Post a gig", request=CreateGigRequest, response=GigOut, status=201,
       provides={"gig_id": "$response.body#/id"}, errors=(403, 422), tag="gigs")
def create_gig() -> GigOut:
    draft = body(CreateGigRequest).draft()
    container = bootstrap.container()
    return gig_out(gigs.create_gig(principal(), draft, uow=container.unit_of_work, now=container.clock.now()))


@route(bp, "/gigs/nearby", summary="Open gigs near a point, nearest first", response=NearbyGigPageOut,
       query_model=NearbyGigsParams, errors=(400, 422), tag="gigs")
def gigs_nearby() -> NearbyGigPageOut:
    caller = principal().user_id
    raw = query_params()
    params = NearbyGigsParams.model_validate(raw)
    filters = nearby.GeoFilter(category=params.category, skills_any=frozenset(params.skill_list),
                        amount_min=params.budget_min, amount_max=params.budget_max, currency=params.currency)
    query = nearby.NearbyQuery(lat=params.lat, lng=params.lng, radius_km=params.radius_km, filters=filters,
                        limit=params.limit)
    container = bootstrap.container()
    # The page's gigs are read through the instance's gig cache (the one GET /gigs/{id} reads), the misses in one
    # batch; a gig that closed left the geo index in the same transaction, so it is not among the ids asked for.
    found = gigs.gigs_near(query, position(params.cursor, "/gigs/nearby", caller, raw), index=container.gig_geo,
                           gigs=container.gig_reads, now=container.clock.now())
    return NearbyGigPageOut(items=[nearby_gig_out(gig, d) for gig, d in found.items],
                            next_cursor=cursor_at(found.next_position, "/gigs/nearby", caller, raw))


@route(bp, "/gigs/{gig_id}", summary="A gig", response=GigOut, errors=(404,), tag="gigs",
       max_age=lambda: bootstrap.settings().gig_cache_ttl_seconds)
def get_gig(gig_id: str) -> GigOut:
    return gig_out(gigs.get_gig(gig_id, gigs=bootstrap.container().gig_reads))


@route(bp, "/gigs/{gig_id}", method="PATCH", summary="Change an open gig", request=PatchGigRequest,
       response=GigOut, errors=(403, 404, 409, 422), tag="gigs")
def patch_gig(gig_id: str) -> GigOut:
    changes = body(PatchGigRequest).changes()
    container = bootstrap.container()
    return gig_out(gigs.update_gig(principal(), gig_id, changes, uow=container.unit_of_work,
                                   now=container.clock.now(), changed=container.changed))


@route(bp, "/gigs/{gig_id}/cancel", method="POST", summary="Cancel an open gig", response=GigOut,
       errors=(403, 404, 409), tag="gigs")
def cancel_gig(gig_id: str) -> GigOut:
    container = bootstrap.container()
    return gig_out(gigs.cancel_gig(principal(), gig_id, uow=container.unit_of_work, now=container.clock.now(),
                                   rejector=container.applications_rejector, changed=container.changed))


@route(bp, "/me/gigs", summary="My gigs, newest first", response=GigPageOut,
       query_model=MyGigsParams, errors=(400, 403, 422), tag="gigs")
def my_gigs() -> GigPageOut:
    caller = principal()
    raw = query_params()
    params = MyGigsParams.model_validate(raw)
    after = position(params.cursor, "/me/gigs", caller.user_id, raw)
    page = gigs.my_gigs(caller, status=params.status, limit=params.limit,
                        after={str(k): str(v) for k, v in after.items()} if after else None,
                        gigs=bootstrap.container().gigs)
    return GigPageOut(items=[gig_out(g) for g in page.gigs],
                      next_cursor=cursor_at(page.after, "/me/gigs", caller.user_id, raw))


@route(bp, "/freelancers/nearby", summary="Freelancers near a point, nearest first",
       response=NearbyFreelancerPageOut,
       query_model=NearbyFreelancersParams, errors=(400, 422), tag="users")
def freelancers_nearby() -> NearbyFreelancerPageOut:
    caller = principal().user_id
    raw = query_params()
    params = NearbyFreelancersParams.model_validate(raw)
    filters = nearby.GeoFilter(skills_all=frozenset(params.skill_list), amount_max=params.max_rate,
                        currency=params.currency, availability=params.availability)
    query = nearby.NearbyQuery(lat=params.lat, lng=params.lng, radius_km=params.radius_km, filters=filters,
                        limit=params.limit)
    container = bootstrap.container()
    found = gigs.freelancers_near(query, position(params.cursor, "/freelancers/nearby", caller, raw),
                                  index=container.freelancer_geo, users=container.users)
    items = [NearbyFreelancerOut(**dict(public_user_out(user)), distance_km=round(d, 4)) for user, d in found.items]
    return NearbyFreelancerPageOut(items=items,
                                   next_cursor=cursor_at(found.next_position, "/freelancers/nearby", caller, raw))
