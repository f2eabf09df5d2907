"""Request and response models of applications and contracts, and the milestone of escrow: what
docs/openapi.json describes, with the conventions of docs/api.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from gigcore.domain.applications import Acceptance, Application, ApplicationStatus, Proposal
from gigcore.domain.clock import to_rfc3339
from gigcore.domain.contracts import Contract, ContractStatus, Milestone, MilestonePlan, MilestoneStatus
from gigcore.domain.money import Money
from gigcore.schemas.common import (
    ChargeAmount,
    CursorText,
    Limit,
    QueryModel,
    RequestModel,
    ResponseModel,
    Timestamp,
    WholeNumber,
    listed,
    text,
)

CoverLetter = Annotated[str, text(1, 5000)]
MilestoneTitle = Annotated[str, text(1, 120)]


class PageParams(QueryModel):
    """?limit and ?cursor of the lists."""

    limit: Limit = 20
    cursor: CursorText | None = Field(default=None, description="next_cursor of the previous page")


class ApplyRequest(RequestModel):
    cover_letter: CoverLetter
    proposed_rate: ChargeAmount
    estimated_days: Annotated[int, Field(ge=1, le=3650), WholeNumber]

    def proposal(self) -> Proposal:
        return Proposal(cover_letter=self.cover_letter, proposed_rate=self.proposed_rate,
                        estimated_days=self.estimated_days)


class MilestoneBody(RequestModel):
    title: MilestoneTitle
    amount: ChargeAmount


class AcceptRequest(RequestModel):
    """Without milestones: one milestone for the application's proposed rate."""

    milestones: Annotated[list[MilestoneBody], Field(min_length=1, max_length=20)] | None = None

    def acceptance(self) -> Acceptance:
        if self.milestones is None:
            return Acceptance()
        return Acceptance(tuple(MilestonePlan(title=m.title, amount=m.amount) for m in self.milestones))


class CancelContractRequest(RequestModel):
    """What becomes of the gig (open again by default; cancelled is for its owner, the client, to ask) and,
    optionally, why."""

    gig_status: Literal["open", "cancelled"] = "open"
    reason: Annotated[str, Field(max_length=1000)] | None = None


class ApplicationOut(ResponseModel):
    """A freelancer's application to a gig, and the contract it led to once accepted."""

    id: str
    gig_id: str
    client_id: str
    freelancer_id: str
    cover_letter: str
    proposed_rate: Money
    estimated_days: int
    status: Annotated[str, listed(ApplicationStatus)]
    contract_id: str | None
    created_at: Timestamp
    updated_at: Timestamp


class ApplicationPageOut(ResponseModel):
    items: list[ApplicationOut]
    next_cursor: str | None = None


class MilestoneOut(ResponseModel):
    """A part of a contract paid on its own: funded into escrow by the client, released to the freelancer."""

    id: str
    title: str
    amount: Money
    status: Annotated[str, listed(MilestoneStatus)]
    funded_at: Timestamp | None = None
    submitted_at: Timestamp | None = None
    auto_release_at: Timestamp | None = None
    released_at: Timestamp | None = None
    refunded_amount: Money


class ContractOut(ResponseModel):
    """The agreement between a client and the freelancer whose application was accepted, paid by milestones."""

    id: str
    gig_id: str
    client_id: str
    freelancer_id: str
    status: Annotated[str, listed(ContractStatus)]
    milestones: list[MilestoneOut]
    currency: str
    created_at: Timestamp


class ContractPageOut(ResponseModel):
    items: list[ContractOut]
    next_cursor: str | None = None


# ---- mapping from the domain to responses ------------------------------------------------------


def application_out(app: Application) -> ApplicationOut:
    return ApplicationOut(id=app.id, gig_id=app.gig_id, client_id=app.client_id, freelancer_id=app.freelancer_id,
                          cover_letter=app.cover_letter, proposed_rate=app.proposed_rate,
                          estimated_days=app.estimated_days, status=app.status, contract_id=app.contract_id,
                          created_at=to_rfc3339(app.created_at), updated_at=to_rfc3339(app.updated_at))


def milestone_out(m: Milestone) -> MilestoneOut:
    def at(value: datetime | None) -> str | None:
        return to_rfc3339(value) if value is not None else None

    return MilestoneOut(id=m.id, title=m.title, amount=m.amount, status=m.status, funded_at=at(m.funded_at),
                        submitted_at=at(m.submitted_at), auto_release_at=at(m.auto_release_at),
                        released_at=at(m.released_at), refunded_amount=m.refunded_amount)


def contract_out(contract: Contract) -> ContractOut:
    return ContractOut(id=contract.id, gig_id=contract.gig_id, client_id=contract.client_id,
                       freelancer_id=contract.freelancer_id, status=contract.status,
                       milestones=[milestone_out(m) for m in contract.milestones], currency=contract.currency,
                       created_at=to_rfc3339(contract.created_at))
