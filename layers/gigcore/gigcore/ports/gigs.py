"""Ports of the gigs area: the gig repository and the geo index that "near me" reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.domain.geo_layout import LayoutState, Progress
from gigcore.domain.gigs import Gig, GigStatus


@dataclass(frozen=True)
class GigPage:
    gigs: list[Gig]
    #: Where the next page starts (adapter-defined, JSON-serialisable), None at the end.
    after: dict[str, str] | None


class GigReader(Protocol):
    """Reading gigs (strongly consistent by id; eventually consistent for lists)."""

    def get(self, gig_id: str) -> Gig | None: ...

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        """The gigs that exist among ``gig_ids`` (eventually consistent; for list pages)."""

    def by_owner(self, owner_id: str, *, status: GigStatus | None, limit: int,
                 after: dict[str, str] | None) -> GigPage:
        """The owner's gigs, newest first, optionally of one status."""


class GigRepository(GigReader, Protocol):
    """Gigs in a unit of work (``gigcore.ports.unit_of_work``): reads at once, writes at its ``commit``, in one
    transaction with the gig's geo index entry (written while open and located, removed otherwise)."""

    def add(self, gig: Gig) -> Gig:
        """Store a new gig (version 1); returns it as it will be stored. The commit raises
        :class:`ConflictError` when the id is taken."""

    def save(self, gig: Gig, *, expected_status: GigStatus) -> Gig:
        """Write ``gig`` if it is still at ``gig.version`` and in ``expected_status`` (the condition re-checks the
        state machine); returns it as it will be stored (version + 1). The commit raises :class:`ConflictError`
        when someone changed it meanwhile."""

    def count_application(self, gig_id: str, currency: str) -> None:
        """Raise the gig's ``application_count`` (and its version) if the gig is still open and its budget still
        in ``currency`` (the application's); not conditioned on the version, so concurrent applies do not refuse
        each other. The commit raises :class:`TransactionConflictError` when the gig moved on."""


class PendingApplicationsRejector(Protocol):
    """The hook by which a cancelled gig's pending applications are rejected (the applications area provides it)."""

    def reject_pending(self, gig: Gig, now: datetime) -> None:
        """Reject every pending or shortlisted application of ``gig``. Must be idempotent."""


# ---- the geo index --------------------------------------------------------------------------------------

__all__ = ["GeoEntry", "GeoIndex", "GeoLayoutStore", "GigPage", "GigReader", "GigRepository",
           "PendingApplicationsRejector", "RangeAnswer", "RangeQuery"]


@dataclass(frozen=True)
class RangeQuery:
    """The keys ``[lo, hi)`` of one partition (``hi`` None: to the partition's end); at most ``limit`` items."""

    partition: str
    lo: str
    hi: str | None
    limit: int | None = None
    #: The entry fields the reader looks at besides id and location (None: all of them); an adapter may leave
    #: the others at their defaults, and read and decode less.
    fields: frozenset[str] | None = None


@dataclass(frozen=True)
class RangeAnswer:
    """Entries in key order. ``stopped_at`` is the geohash of the last entry read when ``limit`` cut the read
    short (more may follow), else None. ``scanned``/``calls``/``capacity`` are what the read cost."""

    entries: tuple[GeoEntry, ...]
    stopped_at: str | None = None
    scanned: int = 0
    calls: int = 0
    capacity: float = 0.0


class GeoIndex(Protocol):
    """One geo index (gigs, or freelancers): keyed by geohash, split into partitions by a layout."""

    def layout(self) -> PartitionLayout:
        """The current partition layout (cached by adapters)."""

    def read(self, queries: Sequence[RangeQuery]) -> list[RangeAnswer]:
        """Run ``queries`` (concurrently where the adapter can), eventually consistent; one answer each, in order.
        While a layout move runs, each range is read under its old and its new partition (strongly consistent)
        and every entry comes back once.

        Raises :class:`UpstreamUnavailableError` (or :class:`RetryableError` when throttled).
        """


class GeoLayoutStore(Protocol):
    """What the layout job reads and writes (gigcore.services.geo_layout). Every write is conditional: a
    :class:`ConflictError` means another run got there first."""

    def state(self, index: str) -> LayoutState:
        """The stored layout state, strongly consistent."""

    def store(self, index: str, state: LayoutState, *, expected_revision: int) -> None: ...

    def scan_keys(self, index: str, spend: Callable[[float], None]) -> list[str]:
        """Every entry's sort key (``<geohash>#<id>``); ``spend`` is told the read capacity of each page."""

    def progress(self, index: str) -> Progress | None: ...

    def save_progress(self, index: str, progress: Progress | None, *, expected_revision: int | None) -> None:
        """Checkpoint a move (``None`` ends it); ``expected_revision`` None: no checkpoint may exist yet."""

    def page(self, index: str, partition: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` stored entries of ``partition`` after the key ``after``, in key order (opaque items
        with at least ``sk``), strongly consistent."""

    def move(self, index: str, item: dict[str, Any], partition: str) -> float | None:
        """Move one entry to ``partition`` with its owner's pointer (one transaction); the write capacity it
        took, or None when the entry or its owner changed meanwhile (nothing written). Idempotent."""
