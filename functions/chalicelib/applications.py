"""``/gigs/{gig_id}/applications``, ``/me/applications``, ``/applications/{id}/...``, ``/contracts/{id}`` and
``/me/contracts``."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.http import body, list_cursor, list_page, principal, route
from gigcore import bootstrap
from gigcore.domain.clock import utc_now
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
from gigcore.services import applications
from gigcore.services.applications import ApplicationPorts

bp = Blueprint(__name__)

def _ports() -> ApplicationPorts:
    ports: ApplicationPorts = bootstrap.container().application_ports
    return ports


@route(bp, "/gigs/{gig_id}/applications", method="POST", summary="Apply to a gig", request=ApplyRequest,
       response=ApplicationOut, status=201, provides={"application_id": "$response.body#/id"},
       errors=(403, 404, 409, 422), tag="applications")
def apply(gig_id: str) -> ApplicationOut:
    cmd = body(ApplyRequest)
    application = applications.apply(principal(), gig_id, cmd, ports=_ports(), now=utc_now())
    bootstrap.container().gig_cache.invalidate(gig_id)  # its application_count moved
    return application_out(application)


@route(bp, "/gigs/{gig_id}/applications", summary="A gig's applications, newest first (its owner)",
       response=ApplicationPageOut, query_model=PageParams, errors=(400, 403, 404, 422), tag="applications")
def applications_of_gig(gig_id: str) -> ApplicationPageOut:
    path = f"/gigs/{gig_id}/applications"
    limit, after, raw = list_page(path)
    page = applications.applications_of_gig(principal(), gig_id, limit=limit, after=after, ports=_ports())
    return ApplicationPageOut(items=[application_out(a) for a in page.applications],
                              next_cursor=list_cursor(page.after, path, raw))


@route(bp, "/me/applications", summary="My applications, newest first", response=ApplicationPageOut,
       query_model=PageParams, errors=(400, 403, 422), tag="applications")
def my_applications() -> ApplicationPageOut:
    limit, after, raw = list_page("/me/applications")
    page = applications.my_applications(principal(), limit=limit, after=after, ports=_ports())
    return ApplicationPageOut(items=[application_out(a) for a in page.applications],
                              next_cursor=list_cursor(page.after, "/me/applications", raw))


@route(bp, "/applications/{application_id}/shortlist", method="POST", summary="Shortlist an application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def shortlist(application_id: str) -> ApplicationOut:
    return application_out(applications.shortlist(principal(), application_id, ports=_ports(), now=utc_now()))


@route(bp, "/applications/{application_id}/reject", method="POST", summary="Reject an application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def reject(application_id: str) -> ApplicationOut:
    return application_out(applications.reject(principal(), application_id, ports=_ports(), now=utc_now()))


@route(bp, "/applications/{application_id}/withdraw", method="POST", summary="Withdraw my application",
       response=ApplicationOut, errors=(403, 404, 409), tag="applications")
def withdraw(application_id: str) -> ApplicationOut:
    return application_out(applications.withdraw(principal(), application_id, ports=_ports(), now=utc_now()))


@route(bp, "/applications/{application_id}/accept", method="POST",
       summary="Accept an application: the contract and its milestones", request=AcceptRequest,
       response=ContractOut, status=201,
       provides={"contract_id": "$response.body#/id", "milestone_id": "$response.body#/milestones/0/id"},
       errors=(403, 404, 409, 422), tag="contracts")
def accept(application_id: str) -> ContractOut:
    cmd = body(AcceptRequest)
    contract = applications.accept(principal(), application_id, cmd, ports=_ports(), now=utc_now())
    bootstrap.container().gig_cache.invalidate(contract.gig_id)  # the gig is in_progress now
    return contract_out(contract)


@route(bp, "/contracts/{contract_id}", summary="A contract with its milestones (either party)",
       response=ContractOut, errors=(403, 404), tag="contracts")
def get_contract(contract_id: str) -> ContractOut:
    return contract_out(applications.get_contract(principal(), contract_id, ports=_ports()))


@route(bp, "/me/contracts", summary="My contracts, newest first", response=ContractPageOut, query_model=PageParams,
       errors=(400, 422), tag="contracts")
def my_contracts() -> ContractPageOut:
    limit, after, raw = list_page("/me/contracts")
    page = applications.my_contracts(principal(), limit=limit, after=after, ports=_ports())
    return ContractPageOut(items=[contract_out(c) for c in page.contracts],
                           next_cursor=list_cursor(page.after, "/me/contracts", raw))
