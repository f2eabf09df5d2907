"""``/me``, ``/me/freelancer-profile`` and ``/users/{user_id}``."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.http import body, principal, route
from gigcore import bootstrap
from gigcore.domain.users import AccountChanges, FreelancerProfile, Location, Skill
from gigcore.schemas.users import (
    FreelancerProfileOut,
    FreelancerProfileRequest,
    PatchMeRequest,
    PublicUserOut,
    UserOut,
    profile_out,
    public_user_out,
    user_out,
)
from gigcore.services import users

bp = Blueprint(__name__)


@route(bp, "/me", summary="My account", response=UserOut, tag="users")
def me() -> UserOut:
    return user_out(users.get_user(principal().user_id, users=bootstrap.container().users))


@route(bp, "/me", method="PATCH", summary="Change my account", request=PatchMeRequest, response=UserOut,
       tag="users")
def patch_me() -> UserOut:
    cmd = body(PatchMeRequest)
    changes = AccountChanges(given=frozenset(cmd.model_fields_set), name=cmd.name, phone=cmd.phone,
                             location=Location(cmd.location.lat, cmd.location.lng) if cmd.location else None,
                             roles=tuple(cmd.roles) if cmd.roles is not None else None)
    container = bootstrap.container()
    return user_out(users.update_me(principal(), changes, users=container.users, cache=container.profile_cache))


@route(bp, "/me/freelancer-profile", method="PUT", summary="Set my freelancer profile",
       request=FreelancerProfileRequest, response=FreelancerProfileOut, errors=(403,), tag="users")
def put_profile() -> FreelancerProfileOut:
    cmd = body(FreelancerProfileRequest)
    profile = FreelancerProfile(
        headline=cmd.headline, bio=cmd.bio, skills=tuple(Skill(name=s.name, level=s.level) for s in cmd.skills),
        hourly_rate_amount=cmd.hourly_rate.amount, hourly_rate_currency=cmd.hourly_rate.currency,
        availability=cmd.availability, location=Location(cmd.location.lat, cmd.location.lng),
        service_radius_km=cmd.service_radius_km, portfolio_urls=tuple(cmd.portfolio_urls))
    container = bootstrap.container()
    user = users.put_freelancer_profile(principal(), profile, users=container.users, cache=container.profile_cache)
    assert user.freelancer_profile is not None
    return profile_out(user.freelancer_profile)


@route(bp, "/users/{user_id}", summary="A user's public profile", response=PublicUserOut, errors=(404,),
       tag="users", max_age=lambda: bootstrap.settings().profile_cache_ttl_seconds)
def public_profile(user_id: str) -> PublicUserOut:
    principal()
    container = bootstrap.container()
    return public_user_out(users.get_public_profile(user_id, users=container.users, cache=container.profile_cache))
