"""The unit of work: what one request or message changes, committed at once (cosmicpython's pattern).

A use case opens a unit (``UnitOfWorkFactory``), loads aggregates through its repositories, changes them with the
domain's methods, hands the results back (``save``/``add``), records the events others must hear of
(``record``), and commits once. The commit writes every change, its conditions and the outbox events in ONE
transaction, or nothing; events recorded on a unit that is not committed are never sent. A unit is used once.

What the commit raises when a condition fails:

- the unit's FIRST write refused on its own item: that write's own answer (see each repository: an application
  already applied for is :class:`ConflictError`; a saved aggregate in another status :class:`InvalidStateError`,
  at another version :class:`ConflictError`; no such aggregate :class:`NotFoundError`);
- any other item refused, or a concurrent transaction in the way: :class:`TransactionConflictError` (a
  :class:`ConflictError`) whose ``failed`` holds the indexes of the refused writes counted from the unit's second
  write; a gig written first answers :class:`ConflictError` for all of these.
- throttling or an outage: :class:`UpstreamUnavailableError` (:class:`RetryableError` when throttled).

A transaction holds at most 100 items; a commit past that raises :class:`ValidationError` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from gigcore.ports import OutboxEvent
from gigcore.ports.contracts import ApplicationRepository, ContractRepository
from gigcore.ports.escrow import DisputeRepository, LedgerStore
from gigcore.ports.gigs import GigRepository

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Protocol):
    @property
    def gigs(self) -> GigRepository: ...

    @property
    def applications(self) -> ApplicationRepository: ...

    @property
    def contracts(self) -> ContractRepository: ...

    @property
    def ledger(self) -> LedgerStore: ...

    @property
    def disputes(self) -> DisputeRepository: ...

    def record(self, *events: OutboxEvent) -> None:
        """Events written to the outbox by the commit (and only then)."""

    def commit(self) -> None:
        """Write what the unit holds, all or nothing (see the module's docstring for what it raises). A unit
        with nothing to write commits nothing."""

    @property
    def items(self) -> int:
        """How many transaction items the commit would write now (a caller filling a transaction up to the
        limit asks)."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
