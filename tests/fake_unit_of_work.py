"""An in-memory unit of work (``gigcore.ports.unit_of_work``) over one :class:`World`, for unit tests of the
services on fakes; held to the DynamoDB unit of work by the contract suites
tests/integration/test_{gigs,applications,contracts,escrow}_port_contract.py.

A commit is what DynamoDB's ``TransactWriteItems`` is for the adapter: every write's condition is checked
against the world first, then all are applied, or none, and the recorded events join the world's outbox only
then. Each write counts the transaction items the DynamoDB adapter would make of it (``items``, the 100-item
limit and ``TransactionConflictError.failed`` count them the same way)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from gigcore.domain.applications import OPEN_APPLICATION_STATUSES, Application, ApplicationStatus
from gigcore.domain.contracts import Contract, ContractStatus, Milestone, MilestoneStatus
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    InvalidStateError,
    NotFoundError,
    TransactionConflictError,
    ValidationError,
)
from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.gigs import Gig, GigStatus
from gigcore.ports import OutboxEvent
from gigcore.ports.contracts import ApplicationPage, ContractPage
from gigcore.ports.escrow import Dispute, DisputeStatus, PayoutAccount
from gigcore.ports.gigs import GigPage

MAX_TRANSACTION_ITEMS = 100


@dataclass
class World:
    """What is stored: gigs, applications, contracts with their milestones, the ledger, disputes, payout accounts
    and the outbox (every event a commit recorded, in order)."""

    gigs: dict[str, Gig] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    disputes: dict[str, Dispute] = field(default_factory=dict)
    accounts: dict[str, PayoutAccount] = field(default_factory=dict)
    outbox: list[OutboxEvent] = field(default_factory=list)
    #: How many commits wrote something.
    transactions: int = 0
    #: Runs as each commit starts (a test's rival writer winning the race); not for the rival's own commits.
    before_commit: Callable[[World], None] | None = field(default=None, repr=False, compare=False)
    #: One commit at a time (DynamoDB's transactions are serialisable; threads in a test share the world).
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        contract = self.contracts.get(contract_id)
        return contract.milestone(milestone_id) if contract else None

    def put_milestone(self, m: Milestone) -> None:
        contract = self.contracts[m.contract_id]
        self.contracts[contract.id] = replace(contract, milestones=tuple(m if o.id == m.id else o
                                                                         for o in contract.milestones))


def _moved(what: str, stored_status: str | None, expected: Collection[str]) -> Exception:
    if stored_status is None:
        return NotFoundError(f"The {what} does not exist.")
    if stored_status not in expected:
        return InvalidStateError(f"The {what} is {stored_status.replace('_', ' ')}; that cannot be done now.",
                                 details=[ErrorDetail(field="status", issue=stored_status)])
    return ConflictError(f"The {what} was changed by another request; try again.")


@dataclass
class _Write:
    #: How many transaction items DynamoDB would make of it.
    items: int
    #: None when its condition holds, else the error it raises as the unit's first write (None: a plain refusal).
    check: Callable[[], Exception | None | bool]
    apply: Callable[[], None]
    #: Raised for any refusal of the unit when this write comes first (a gig).
    whole: Exception | None = None


_HOLDS = True


class _Gigs:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit, self._world = unit, unit.world

    def get(self, gig_id: str) -> Gig | None:
        return self._world.gigs.get(gig_id)

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        return {i: self._world.gigs[i] for i in gig_ids if i in self._world.gigs}

    def by_owner(self, owner_id: str, *, status: GigStatus | None, limit: int,
                 after: dict[str, str] | None) -> GigPage:
        mine = sorted((g for g in self._world.gigs.values() if g.owner_id == owner_id
                       and (status is None or g.status == status)), key=lambda g: (g.created_at, g.id), reverse=True)
        start = int(after["n"]) if after else 0
        page = mine[start:start + limit]
        return GigPage(gigs=page, after={"n": str(start + limit)} if start + limit < len(mine) else None)

    def add(self, gig: Gig) -> Gig:
        stored = gig.changed(version=1)

        def check() -> Exception | None | bool:
            return _HOLDS if gig.id not in self._world.gigs else None

        self._unit.track(_Write(1 + gig.indexed, check, lambda: self._world.gigs.__setitem__(gig.id, stored),
                                whole=ConflictError("A gig with this id already exists.")))
        return stored

    def save(self, gig: Gig, *, expected_status: GigStatus) -> Gig:
        if gig.id not in self._world.gigs:
            raise ConflictError("The gig no longer exists.")
        stored = gig.changed(version=gig.version + 1)
        conflict = ConflictError("The gig was changed by another request; try again.")

        def check() -> Exception | None | bool:
            now = self._world.gigs.get(gig.id)
            return _HOLDS if now is not None and (now.status, now.version) == (expected_status, gig.version) \
                else conflict

        before = self._world.gigs[gig.id]
        moves = int(before.indexed) if not gig.indexed else 1
        self._unit.track(_Write(1 + moves, check, lambda: self._world.gigs.__setitem__(gig.id, stored), whole=conflict))
        return stored

    def count_application(self, gig_id: str, currency: str) -> None:
        def check() -> Exception | None | bool:
            gig = self._world.gigs.get(gig_id)
            return _HOLDS if gig is not None and gig.status == "open" and gig.budget.min.currency == currency \
                else None

        def apply() -> None:
            gig = self._world.gigs[gig_id]
            self._world.gigs[gig_id] = gig.changed(application_count=gig.application_count + 1,
                                                   version=gig.version + 1)

        self._unit.track(_Write(1, check, apply))


class _Applications:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit, self._world = unit, unit.world

    def get(self, application_id: str) -> Application | None:
        return self._world.applications.get(application_id)

    def open_of_gig(self, gig_id: str) -> list[Application]:
        return [a for a in self._world.applications.values()
                if a.gig_id == gig_id and a.status in OPEN_APPLICATION_STATUSES]

    def _page(self, found: list[Application], limit: int, after: dict[str, str] | None) -> ApplicationPage:
        found.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        start = int(after["n"]) if after else 0
        return ApplicationPage(applications=found[start:start + limit],
                               after={"n": str(start + limit)} if start + limit < len(found) else None)

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page([a for a in self._world.applications.values() if a.gig_id == gig_id], limit, after)

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page([a for a in self._world.applications.values() if a.freelancer_id == freelancer_id],
                          limit, after)

    def add(self, application: Application) -> Application:
        stored = application.changed(version=1)

        def check() -> Exception | None | bool:
            taken = any(a.gig_id == application.gig_id and a.freelancer_id == application.freelancer_id
                        for a in self._world.applications.values())
            if taken or application.id in self._world.applications:
                return ConflictError("You have already applied to this gig.",
                                     details=[ErrorDetail(field="gig_id", issue="already applied")])
            return _HOLDS

        self._unit.track(_Write(2, check, lambda: self._world.applications.__setitem__(application.id, stored)))
        return stored

    def save(self, application: Application, *, expected: Collection[ApplicationStatus]) -> Application:
        stored = application.changed(version=application.version + 1)

        def check() -> Exception | None | bool:
            now = self._world.applications.get(application.id)
            if now is not None and now.status in expected and now.version == application.version:
                return _HOLDS
            return _moved("application", now.status if now else None, expected)

        self._unit.track(_Write(1, check, lambda: self._world.applications.__setitem__(application.id, stored)))
        return stored


class _Contracts:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit, self._world = unit, unit.world

    def get(self, contract_id: str) -> Contract | None:
        return self._world.contracts.get(contract_id)

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        return self._world.milestone(contract_id, milestone_id)

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        mine = sorted((c for c in self._world.contracts.values() if user_id in {c.client_id, c.freelancer_id}),
                      key=lambda c: c.id, reverse=True)
        start = int(after["n"]) if after else 0
        return ContractPage(contracts=mine[start:start + limit],
                            after={"n": str(start + limit)} if start + limit < len(mine) else None)

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        due = sorted((m.auto_release_at, c.id, m.id) for c in self._world.contracts.values() for m in c.milestones
                     if m.auto_release_at is not None and m.auto_release_at <= now)
        return [(cid, mid) for _, cid, mid in due[:limit]]

    def add(self, contract: Contract) -> Contract:
        stored = replace(contract, milestones=tuple(replace(m, version=max(m.version, 1)) for m in contract.milestones))

        def check() -> Exception | None | bool:
            return _HOLDS if contract.id not in self._world.contracts else None

        self._unit.track(_Write(3 + len(contract.milestones), check,
                                lambda: self._world.contracts.__setitem__(contract.id, stored)))
        return stored

    def save(self, contract: Contract, *, expected: Collection[ContractStatus]) -> Contract:
        def check() -> Exception | None | bool:
            now = self._world.contracts.get(contract.id)
            return _HOLDS if now is not None and now.status in expected else \
                _moved("contract", now.status if now else None, expected)

        def apply() -> None:
            now = self._world.contracts[contract.id]
            self._world.contracts[contract.id] = replace(now, status=contract.status, updated_at=contract.updated_at)

        self._unit.track(_Write(1, check, apply))
        return contract

    def save_milestone(self, milestone: Milestone, *, expected: Collection[MilestoneStatus]) -> Milestone:
        stored = replace(milestone, version=milestone.version + 1)

        def check() -> Exception | None | bool:
            now = self._world.milestone(milestone.contract_id, milestone.id)
            if now is not None and now.status in expected and now.version == milestone.version:
                return _HOLDS
            return _moved("milestone", now.status if now else None, expected)

        self._unit.track(_Write(1, check, lambda: self._world.put_milestone(stored)))
        return stored

    def check_milestone(self, milestone: Milestone) -> None:
        def check() -> Exception | None | bool:
            now = self._world.milestone(milestone.contract_id, milestone.id)
            return _HOLDS if now is not None and now.version == milestone.version else None

        self._unit.track(_Write(1, check, lambda: None))


class _Ledger:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit, self._world = unit, unit.world

    def entries(self, contract_id: str) -> list[LedgerEntry]:
        return sorted((e for e in self._world.ledger if e.contract_id == contract_id), key=lambda e: e.id)

    def add(self, entry: LedgerEntry) -> None:
        def check() -> Exception | None | bool:
            return _HOLDS if all(e.id != entry.id for e in self._world.ledger) else None

        self._unit.track(_Write(1, check, lambda: self._world.ledger.append(entry)))


class _Disputes:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit, self._world = unit, unit.world

    def get(self, dispute_id: str) -> Dispute | None:
        return self._world.disputes.get(dispute_id)

    def add(self, dispute: Dispute) -> Dispute:
        stored = replace(dispute, version=1)

        def check() -> Exception | None | bool:
            return _HOLDS if dispute.id not in self._world.disputes else None

        self._unit.track(_Write(1, check, lambda: self._world.disputes.__setitem__(dispute.id, stored)))
        return stored

    def save(self, dispute: Dispute, *, expected: DisputeStatus) -> Dispute:
        stored = replace(dispute, version=dispute.version + 1)

        def check() -> Exception | None | bool:
            now = self._world.disputes.get(dispute.id)
            return _HOLDS if now is not None and (now.status, now.version) == (expected, dispute.version) else None

        self._unit.track(_Write(1, check, lambda: self._world.disputes.__setitem__(dispute.id, stored)))
        return stored


class FakeUnitOfWork:
    def __init__(self, world: World) -> None:
        self.world = world
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
        return sum(w.items for w in self._writes) + len(self._events)

    def commit(self) -> None:
        if self._committed:
            raise RuntimeError("a unit of work is committed once")
        self._committed = True
        if not self._writes and not self._events:
            return
        if self.items > MAX_TRANSACTION_ITEMS:
            raise ValidationError(f"A transaction holds at most {MAX_TRANSACTION_ITEMS} items.")
        rival, self.world.before_commit = self.world.before_commit, None
        try:
            if rival is not None:
                rival(self.world)
        finally:
            self.world.before_commit = rival
        with self.world.lock:
            self._commit()

    def _commit(self) -> None:
        answers = [w.check() for w in self._writes]
        if any(a is not _HOLDS for a in answers):
            first = self._writes[0]
            if first.whole is not None:
                raise first.whole
            if isinstance(answers[0], Exception):
                raise answers[0]
            failed: list[int] = []
            at = -first.items
            for write, answer in zip(self._writes, answers, strict=True):
                if answer is not _HOLDS and at >= 0:
                    failed.append(at)
                at += write.items
            raise TransactionConflictError("The change conflicts with a concurrent one; try again.",
                                           failed=tuple(failed))
        for write in self._writes:
            write.apply()
        self.world.outbox.extend(self._events)
        self.world.transactions += 1


class FakeUnitOfWorkFactory:
    """Makes :class:`FakeUnitOfWork` s over one world (a :data:`gigcore.ports.unit_of_work.UnitOfWorkFactory`)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.world)


class FakePayoutAccounts:
    """:class:`gigcore.ports.escrow.PayoutAccountStore` over the world's accounts."""

    def __init__(self, world: World) -> None:
        self.world = world

    def get(self, user_id: str) -> PayoutAccount | None:
        return self.world.accounts.get(user_id)

    def add(self, account: PayoutAccount) -> PayoutAccount:
        return self.world.accounts.setdefault(account.user_id, account)

    def user_of_account(self, account_id: str) -> str | None:
        return next((a.user_id for a in self.world.accounts.values() if a.account_id == account_id), None)

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        if user_id in self.world.accounts:
            self.world.accounts[user_id] = replace(self.world.accounts[user_id], payouts_enabled=enabled)


__all__ = ["FakePayoutAccounts", "FakeUnitOfWork", "FakeUnitOfWorkFactory", "World"]
