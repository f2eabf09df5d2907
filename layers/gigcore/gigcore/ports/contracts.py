"""Ports of applications and contracts (with their milestones).

Reads answer at once. Writes are made inside a unit of work (``gigcore.ports.unit_of_work``): ``add`` and
``save`` say what the commit will write, and the commit writes it all in one transaction, or nothing. Each saved
aggregate is conditioned on the status the state machine moves it from (and its version, where it has one), so
a concurrent or repeated call cannot apply a transition twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from gigcore.domain.applications import Application, ApplicationStatus
from gigcore.domain.contracts import Contract, ContractStatus, Milestone, MilestoneStatus

__all__ = ["ApplicationPage", "ApplicationReader", "ApplicationRepository", "ContractPage", "ContractReader",
           "ContractRepository"]


@dataclass(frozen=True)
class ApplicationPage:
    applications: list[Application]
    #: Where the next page starts (adapter-defined, JSON-serialisable), None at the end.
    after: dict[str, str] | None


@dataclass(frozen=True)
class ContractPage:
    contracts: list[Contract]
    after: dict[str, str] | None


class ApplicationReader(Protocol):
    """Reading applications; one per (gig, freelancer)."""

    def get(self, application_id: str) -> Application | None:
        """Strongly consistent."""

    def open_of_gig(self, gig_id: str) -> list[Application]:
        """Every pending or shortlisted application of the gig (strongly consistent; for rejecting them)."""

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        """The gig's applications, newest first."""

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        """The freelancer's applications, newest first."""


class ApplicationRepository(ApplicationReader, Protocol):
    """Applications in a unit of work."""

    def add(self, application: Application) -> Application:
        """A new application (version 1). The commit raises :class:`ConflictError` when the freelancer already
        applied to the gig (of two concurrent applies exactly one commits)."""

    def save(self, application: Application, *, expected: Collection[ApplicationStatus]) -> Application:
        """Write ``application`` if it is still at ``application.version`` and in one of ``expected``; returns
        it at version + 1. When it is the unit's first write, the commit raises :class:`InvalidStateError` when
        its stored status is not expected and :class:`ConflictError` when it changed meanwhile."""


class ContractReader(Protocol):
    """Reading contracts with their milestones, and the contracts of each party."""

    def get(self, contract_id: str) -> Contract | None:
        """The contract with its milestones in order (strongly consistent)."""

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        """Strongly consistent."""

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        """The contracts the user is a party to (either side), newest first."""

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """(contract id, milestone id) of the submitted milestones whose ``auto_release_at`` has come, earliest
        first (may lag a write by a moment: the release re-checks the milestone)."""


class ContractRepository(ContractReader, Protocol):
    """Contracts and milestones in a unit of work."""

    def add(self, contract: Contract) -> Contract:
        """A new contract with its milestones (each at version 1) and both parties' links."""

    def save(self, contract: Contract, *, expected: Collection[ContractStatus]) -> Contract:
        """Write the contract's ``status`` and ``updated_at`` if its stored status is one of ``expected`` (its
        milestones are saved one by one with :meth:`save_milestone`)."""

    def save_milestone(self, milestone: Milestone, *, expected: Collection[MilestoneStatus]) -> Milestone:
        """Write ``milestone`` if it is still at ``milestone.version`` and in one of ``expected``; returns it at
        version + 1. When it is the unit's first write, the commit raises :class:`NotFoundError` for no such
        milestone, :class:`InvalidStateError` when its status is not expected (the repeat of a transition that
        happened lands here) and :class:`ConflictError` when its version moved."""

    def check_milestone(self, milestone: Milestone) -> None:
        """The commit fails unless ``milestone`` is still at its version (a decision that read it, such as
        settling the contract when the last milestone ends, fails if it moved meanwhile)."""
