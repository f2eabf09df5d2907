"""Ports of applications and contracts (with their milestones).

Every write takes ``extra`` items and ``events``: low-level ``TransactWriteItems`` entries (ledger entries,
a payment record, another aggregate's change) and outbox events committed in the SAME transaction as the
repository's own item, all or nothing, at most 100 items in all. The repository's own item carries a
condition on the status the state machine moves it from, so a concurrent or repeated call cannot apply
a transition twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gigcore.domain.contracts import (
    Application,
    ApplicationStatus,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
)
from gigcore.ports import OutboxEvent, TransactItem

__all__ = ["ApplicationPage", "ApplicationRepository", "ContractPage", "ContractRepository", "TransactItem"]


@dataclass(frozen=True)
class ApplicationPage:
    applications: list[Application]
    #: Where the next page starts (adapter-defined, JSON-serialisable), None at the end.
    after: dict[str, str] | None


@dataclass(frozen=True)
class ContractPage:
    contracts: list[Contract]
    after: dict[str, str] | None


class ApplicationRepository(Protocol):
    """Applications; one per (gig, freelancer), enforced by the write itself."""

    def add(self, application: Application, *, extra: Sequence[TransactItem] = (),
            events: Sequence[OutboxEvent] = ()) -> Application:
        """Store a new application (version 1) with ``extra`` and ``events``.

        Raises :class:`ConflictError` when the freelancer already applied to the gig (a conditional write: of
        two concurrent applies exactly one succeeds), :class:`TransactionConflictError` when an ``extra``
        condition failed or a concurrent transaction got in the way.
        """

    def get(self, application_id: str) -> Application | None:
        """Strongly consistent."""

    def open_of_gig(self, gig_id: str) -> list[Application]:
        """Every pending or shortlisted application of the gig (strongly consistent; for rejecting them)."""

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        """The gig's applications, newest first."""

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        """The freelancer's applications, newest first."""

    def save(self, application: Application, *, expected: Collection[ApplicationStatus],
             extra: Sequence[TransactItem] = (), events: Sequence[OutboxEvent] = ()) -> Application:
        """Write ``application`` if it is still at ``application.version`` and in one of ``expected``.

        Returns it at version + 1. Raises :class:`InvalidStateError` when its stored status is not expected,
        :class:`ConflictError` when it changed meanwhile, :class:`TransactionConflictError` as for :meth:`add`.
        """

    def save_writes(self, application: Application, *,
                    expected: Collection[ApplicationStatus]) -> list[TransactItem]:
        """The entries :meth:`save` would write, for a caller that commits them in its own transaction."""


class ContractRepository(Protocol):
    """Contracts with their milestones, and the contracts of each party."""

    def create(self, contract: Contract, *, extra: Sequence[TransactItem] = (),
               events: Sequence[OutboxEvent] = ()) -> Contract:
        """Store a new contract, its milestones and both parties' links with ``extra`` and ``events``.

        Raises :class:`TransactionConflictError` when an ``extra`` condition failed (``failed`` says which) or
        a concurrent transaction got in the way; nothing is written then.
        """

    def get(self, contract_id: str) -> Contract | None:
        """The contract with its milestones in order (strongly consistent)."""

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        """Strongly consistent."""

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        """The contracts the user is a party to (either side), newest first."""

    def transition_milestone(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                             changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                             events: Sequence[OutboxEvent] = (),
                             expected_version: int | None = None) -> Milestone:
        """Change a milestone if its stored status is one of ``expected`` (and it is at ``expected_version``
        when given), together with ``extra`` items and ``events``, in one transaction.

        ``changes`` maps fields of :class:`Milestone` (see ``MILESTONE_MUTABLE_FIELDS``) to their new values;
        None removes an optional field. The version always goes up by one. Returns the stored milestone.

        Raises :class:`NotFoundError` when there is no such milestone, :class:`InvalidStateError` when its
        status is not expected (the repeat of a transition that happened lands here), :class:`ConflictError`
        when its version moved, :class:`TransactionConflictError` when an ``extra`` condition failed or a
        concurrent transaction got in the way. Nothing is written when it raises.
        """

    def milestone_write(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                        changes: Mapping[str, Any], expected_version: int | None = None) -> TransactItem:
        """The ``Update`` entry :meth:`transition_milestone` writes (to change two milestones at once)."""

    def milestone_check(self, contract_id: str, milestone_id: str, *, version: int) -> TransactItem:
        """A ``ConditionCheck`` that the milestone is still at ``version`` (a decision that read it, such as
        settling the contract when the last milestone ends, fails if it moved meanwhile)."""

    def transition_contract(self, contract_id: str, *, expected: Collection[ContractStatus],
                            changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                            events: Sequence[OutboxEvent] = ()) -> Contract:
        """Change the contract's ``status`` (and ``updated_at``) if its stored status is one of ``expected``.

        Raises as :meth:`transition_milestone` does. Returns the contract with its milestones.
        """

    def contract_write(self, contract_id: str, *, expected: Collection[ContractStatus],
                       changes: Mapping[str, Any]) -> TransactItem:
        """The ``Update`` entry :meth:`transition_contract` writes (e.g. beside the last milestone's release)."""

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """(contract id, milestone id) of the submitted milestones whose ``auto_release_at`` has come, earliest
        first (may lag a write by a moment: the release re-checks the milestone)."""
