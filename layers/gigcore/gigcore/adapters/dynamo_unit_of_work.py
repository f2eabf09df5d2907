"""The DynamoDB unit of work (:class:`gigcore.ports.unit_of_work.UnitOfWork`): what a use case saved, in the order
it saved it, with its conditions and the outbox events, written as ONE ``TransactWriteItems``.

Its repositories read through the process's shared readers (so a read is what any other read of the process
would answer) and keep each write as the transaction entries it makes and what its refusal means. The stored
items are those of ``dynamo_contract_items``, ``dynamo_gigs``, ``dynamo_escrow`` and ``dynamo_outbox``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from gigcore.adapters import dynamo_contract_items as items
from gigcore.adapters.dynamo_contracts import DynamoApplicationReader, DynamoContractReader
from gigcore.adapters.dynamo_escrow import (
    DynamoDisputeReader,
    DynamoLedgerReader,
    dispute_add,
    dispute_save,
    ledger_add,
)
from gigcore.adapters.dynamo_gigs import DynamoGigReader, application_counted
from gigcore.adapters.dynamo_outbox import event_item
from gigcore.adapters.dynamo_table import MAX_TRANSACTION_ITEMS, DynamoTable, TransactionRefused
from gigcore.domain.applications import Application, ApplicationStatus
from gigcore.domain.contracts import Contract, ContractStatus, Milestone, MilestoneStatus
from gigcore.domain.errors import ConflictError, TransactionConflictError, ValidationError
from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.gigs import Gig, GigStatus
from gigcore.ports import OutboxEvent
from gigcore.ports.contracts import ApplicationPage, ContractPage
from gigcore.ports.escrow import Dispute, DisputeStatus
from gigcore.ports.gigs import GigPage

#: What a write refused on its first item means when it is the unit's first write: from the item as it was
#: stored (when DynamoDB returned it), the error to raise; None: the refusal is a TransactionConflictError.
Refusal = Callable[[Mapping[str, Any] | None], Exception] | None


@dataclass(frozen=True)
class _Write:
    entries: list[dict[str, Any]]
    refusal: Refusal = None
    #: Raised for any refusal of the unit when this write comes first (a gig: "changed by another request").
    whole: Exception | None = None


def _moved(reader: DynamoTable, entry: Mapping[str, Any], what: str,
           expected: Collection[str]) -> Callable[[Mapping[str, Any] | None], Exception]:
    def refusal(old: Mapping[str, Any] | None) -> Exception:
        (body,) = entry.values()
        key = body.get("Key") or body["Item"]
        stored = old or reader.item(str(key["pk"]["S"]), str(key["sk"]["S"]))
        return items.moved_error(what, stored, expected)
    return refusal


@dataclass(frozen=True)
class DynamoReaders:
    """The process's shared readers a unit of work reads through."""

    gigs: DynamoGigReader
    applications: DynamoApplicationReader
    contracts: DynamoContractReader
    ledger: DynamoLedgerReader
    disputes: DynamoDisputeReader


class _Gigs:
    def __init__(self, unit: DynamoUnitOfWork) -> None:
        self._unit = unit
        self._reader = unit.readers.gigs

    def get(self, gig_id: str) -> Gig | None:
        return self._reader.get(gig_id)

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        return self._reader.get_many(gig_ids)

    def by_owner(self, owner_id: str, *, status: GigStatus | None, limit: int,
                 after: dict[str, str] | None) -> GigPage:
        return self._reader.by_owner(owner_id, status=status, limit=limit, after=after)

    def add(self, gig: Gig) -> Gig:
        self._unit.track(_Write(self._reader.add_entries(gig),
                                whole=ConflictError("A gig with this id already exists.")))
        return gig.changed(version=1)

    def save(self, gig: Gig, *, expected_status: GigStatus) -> Gig:
        conflict = ConflictError("The gig was changed by another request; try again.")
        entries = self._reader.save_entries(gig, expected_status)
        if entries is None:
            raise ConflictError("The gig no longer exists.")
        self._unit.track(_Write(entries, refusal=lambda old: conflict, whole=conflict))
        return gig.changed(version=gig.version + 1)

    def count_application(self, gig_id: str, currency: str) -> None:
        self._unit.track(_Write([application_counted(gig_id, currency, self._reader.table_name)]))


class _Applications:
    def __init__(self, unit: DynamoUnitOfWork) -> None:
        self._unit = unit
        self._reader = unit.readers.applications

    def get(self, application_id: str) -> Application | None:
        return self._reader.get(application_id)

    def open_of_gig(self, gig_id: str) -> list[Application]:
        return self._reader.open_of_gig(gig_id)

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._reader.of_gig(gig_id, limit=limit, after=after)

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._reader.of_freelancer(freelancer_id, limit=limit, after=after)

    def add(self, application: Application) -> Application:
        self._unit.track(_Write(items.application_adds(application, self._reader.table_name),
                                refusal=lambda old: items.already_applied()))
        return application.changed(version=1)

    def save(self, application: Application, *, expected: Collection[ApplicationStatus]) -> Application:
        entry = items.application_save(application, expected, self._reader.table_name)
        self._unit.track(_Write([entry], refusal=_moved(self._reader, entry, "application", expected)))
        return application.changed(version=application.version + 1)


class _Contracts:
    def __init__(self, unit: DynamoUnitOfWork) -> None:
        self._unit = unit
        self._reader = unit.readers.contracts

    def get(self, contract_id: str) -> Contract | None:
        return self._reader.get(contract_id)

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        return self._reader.get_milestone(contract_id, milestone_id)

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        return self._reader.of_user(user_id, limit=limit, after=after)

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        return self._reader.due_for_release(now, limit=limit)

    def add(self, contract: Contract) -> Contract:
        self._unit.track(_Write(items.contract_adds(contract, self._reader.table_name)))
        return replace(contract, milestones=tuple(replace(m, version=max(m.version, 1)) for m in contract.milestones))

    def save(self, contract: Contract, *, expected: Collection[ContractStatus]) -> Contract:
        entry = items.contract_save(contract, expected, self._reader.table_name)
        self._unit.track(_Write([entry], refusal=_moved(self._reader, entry, "contract", expected)))
        return contract

    def save_milestone(self, milestone: Milestone, *, expected: Collection[MilestoneStatus]) -> Milestone:
        entry = items.milestone_save(milestone, expected, self._reader.table_name)
        self._unit.track(_Write([entry], refusal=_moved(self._reader, entry, "milestone", expected)))
        return replace(milestone, version=milestone.version + 1)

    def check_milestone(self, milestone: Milestone) -> None:
        self._unit.track(_Write([items.milestone_check(milestone, self._reader.table_name)]))


class _Ledger:
    def __init__(self, unit: DynamoUnitOfWork) -> None:
        self._unit = unit
        self._reader = unit.readers.ledger

    def entries(self, contract_id: str) -> list[LedgerEntry]:
        return self._reader.entries(contract_id)

    def add(self, entry: LedgerEntry) -> None:
        self._unit.track(_Write([ledger_add(entry, self._reader.table_name)]))


class _Disputes:
    def __init__(self, unit: DynamoUnitOfWork) -> None:
        self._unit = unit
        self._reader = unit.readers.disputes

    def get(self, dispute_id: str) -> Dispute | None:
        return self._reader.get(dispute_id)

    def add(self, dispute: Dispute) -> Dispute:
        self._unit.track(_Write([dispute_add(replace(dispute, version=0), self._reader.table_name)]))
        return replace(dispute, version=1)

    def save(self, dispute: Dispute, *, expected: DisputeStatus) -> Dispute:
        self._unit.track(_Write([dispute_save(dispute, expected, self._reader.table_name)]))
        return replace(dispute, version=dispute.version + 1)


class DynamoUnitOfWork:
    """One unit of work on the main table; make one per attempt of a use case (``DynamoUnitOfWorkFactory``)."""

    def __init__(self, table: DynamoTable, readers: DynamoReaders) -> None:
        self._table = table
        self.readers = readers
        self._writes: list[_Write] = []
        self._events: list[OutboxEvent] = []
        self._committed = False
        self.gigs = _Gigs(self)
        self.applications = _Applications(self)
        self.contracts = _Contracts(self)
        self.ledger = _Ledger(self)
        self.disputes = _Disputes(self)

    def track(self, write: _Write) -> None:
        if self._committed:
            raise RuntimeError("a unit of work is committed once")
        self._writes.append(write)

    def record(self, *events: OutboxEvent) -> None:
        self._events.extend(events)

    @property
    def items(self) -> int:
        return sum(len(w.entries) for w in self._writes) + len(self._events)

    def commit(self) -> None:
        if self._committed:
            raise RuntimeError("a unit of work is committed once")
        self._committed = True
        entries = [e for w in self._writes for e in w.entries]
        entries += [event_item(e, self._table.table_name) for e in self._events]
        if not entries:
            return
        if len(entries) > MAX_TRANSACTION_ITEMS:
            raise ValidationError(f"A transaction holds at most {MAX_TRANSACTION_ITEMS} items.")
        try:
            self._table.transact(entries)
        except TransactionRefused as refused:
            raise self._refusal(refused) from refused

    def _refusal(self, refused: TransactionRefused) -> Exception:
        first = self._writes[0] if self._writes else None
        if first is not None and first.whole is not None:
            return first.whole
        if first is not None and first.refusal is not None and refused.code(0) == "ConditionalCheckFailed":
            return first.refusal(refused.reasons[0].get("Item"))
        own = len(first.entries) if first is not None else 0
        return TransactionConflictError("The change conflicts with a concurrent one; try again.",
                                        failed=refused.refused_from(own))


class DynamoUnitOfWorkFactory:
    """Makes :class:`DynamoUnitOfWork` s over the shared readers (a :data:`UnitOfWorkFactory`)."""

    def __init__(self, table: DynamoTable, readers: DynamoReaders) -> None:
        self._table = table
        self.readers = readers

    def __call__(self) -> DynamoUnitOfWork:
        return DynamoUnitOfWork(self._table, self.readers)


def unit_of_work_factory(client: Any, table_name: str, gigs: DynamoGigReader,
                         applications: DynamoApplicationReader | None = None,
                         contracts: DynamoContractReader | None = None) -> DynamoUnitOfWorkFactory:
    """The factory of the main table's units of work; the readers given are shared with the rest of the process."""
    readers = DynamoReaders(gigs=gigs, applications=applications or DynamoApplicationReader(client, table_name),
                            contracts=contracts or DynamoContractReader(client, table_name),
                            ledger=DynamoLedgerReader(client, table_name),
                            disputes=DynamoDisputeReader(client, table_name))
    return DynamoUnitOfWorkFactory(DynamoTable(client, table_name), readers)


__all__ = ["DynamoReaders", "DynamoUnitOfWork", "DynamoUnitOfWorkFactory", "unit_of_work_factory"]
