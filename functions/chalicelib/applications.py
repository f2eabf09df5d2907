"""``/gigs/{gig_id}/applications``, ``/me/applications``, ``/applications/{id}/...``, ``/contracts/{id}`` and
``/me/contracts``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import body, principal, query_params, route
from chalicelib.imports import on_first_use
from chalicelib.paging import cursor_at, page_params
from gigcore import bootstrap
from gigcore.schemas.contracts import (
    AcceptRequest,
    ApplicationOut,
    ApplicationPageOut,
    ApplyRequest,
    ContractOut,
    ContractPageOut,
    PageParams,
    application_out,
    contract_out,
)

if TYPE_CHECKING:
    from gigcore.services import applications
else:
    applications = on_first_use("gigcore.services.applications")


bp = Blueprint(__name__)


@route(bp, "/gigs/{gig_id}/applications", method="POST", summary="Apply to a gig", request=ApplyRequest,
       response=ApplicationOut, status=201, provides={"application_id": "$response.body#/id"},
       errors=(403, 404, 409, 422), tag="applications")
def apply(gig_id: str) -> ApplicationOut:
    proposal = body(ApplyRequest).proposal()
    container = bootstrap.container()
    return application_out(applications.apply(principal(), gig_id, proposal, ports=container.application_ports,
                                              now=container.clock.now()))


@route(bp, "/gigs/{gig_id}/applications", summary="A gig's applications, newest first (its owner)",
       response=ApplicationPageOut, query_model=PageParams, errors=(400, 403, 404, 422), tag="applications")
def applications_of_gig(gig_id: str) -> ApplicationPageOut:
    caller = principal()
    path, raw = f"/gigs/{gig_id}/applications", query_params()
    limit, after = page_params(path, caller.user_id, raw)
    page = applications.applications_of_gig(caller, gig_id, limit=limit, after=after,
                                             ports=bootstrap.container().application_ports)
    return ApplicationPageOut(items=[application_out(a) for a in page.applications],
                              next_cursor=cursor_at(page.after, path, caller.user_id, raw))


@route(bp, "/me/applications", summary="My applications, newest first", response=ApplicationPageOut,
       query_model=PageParams, errors=(400, 403, 422), tag="applications")
def my_applications() -> ApplicationPageOut:
    caller = principal()
    raw = query_params()
    limit, after = page_params("/me/applications", caller.user_id, raw)
    page = applications.my_applications(caller, limit=limit, after=after,
                                        ports=bootstrap.container().application_ports)
    return ApplicationPageOut(items=[application_out(a) for a in page.applications],
                              next_cursor=cursor_at(page.after, "/me/applications", caller.user_id, raw))


@route(bp, "/applications/{application_id}/shortlist", method="POST", summary="Shortlist an application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def shortlist(application_id: str) -> ApplicationOut:
    container = bootstrap.container()
    return application_out(applications.shortlist(principal(), application_id, ports=container.application_ports,
                                                  now=container.clock.now()))


@route(bp, "/applications/{application_id}/reject", method="POST", summary="Reject an application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def reject(application_id: str) -> ApplicationOut:
    container = bootstrap.container()
    return application_out(applications.reject(principal(), application_id, ports=container.application_ports,
                                               now=container.clock.now()))


@route(bp, "/applications/{application_id}/withdraw", method="POST", summary="Withdraw my application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def withdraw(application_id: str) -> ApplicationOut:
    container = bootstrap.container()
    return application_out(applications.withdraw(principal(), application_id, ports=container.application_ports,
                                                 now=container.clock.now()))


@route(bp, "/applications/{application_id}/accept", method="POST",
       summary="Accept an application: the contract and its milestones", request=AcceptRequest,
       response=ContractOut, status=201,
       provides={"contract_id": "$response.body#/id", "milestone_id": "$response.body#/milestones/0/id"},
       errors=(403, 404, 409, 422), tag="contracts")
def accept(application_id: str) -> ContractOut:
    terms = body(AcceptRequest).acceptance()
    container = bootstrap.container()
    return contract_out(applications.accept(principal(), application_id, terms, ports=container.application_ports,
                                            now=container.clock.now()))


@route(bp, "/contracts/{contract_id}", summary="A contract with its milestones (either party)",
       response=ContractOut, errors=(403, 404), tag="contracts")
def get_contract(contract_id: str) -> ContractOut:
    return contract_out(applications.get_contract(principal(), contract_id,
                                                  ports=bootstrap.container().application_ports))


@route(bp, "/me/contracts", summary="My contracts, newest first", response=ContractPageOut, query_model=PageParams,
       errors=(400, 422), tag="contracts")
def my_contracts() -> ContractPageOut:
    caller = principal()
    raw = query_params()
    limit, after = page_params("/me/contracts", caller.user_id, raw)
    page = applications.my_contracts(caller, limit=limit, after=after, ports=bootstrap.container().application_ports)
    return ContractPageOut(items=[contract_out(c) for c in page.contracts],
                           next_cursor=cursor_at(page.after, "/me/contracts", caller.user_id, raw))
