"""Keeping a geo index's partition layout in step with its data: pure decisions, no I/O (docs/geo.md).

A layout change moves entries between partition keys while the index stays online. It runs in three phases,
each stored in the layout item and each waiting ``settle`` seconds (longer than any container caches a layout)
before the next, so that no reader can miss an entry a writer put under a layout the reader does not know:

``stable``   readers and writers use ``current``.
``reading``  ``target`` is known: readers consult ``current`` and ``target`` together (de-duplicating by id);
             writers still write under ``current``.
``moving``   writers write under ``target``; once every container has seen that (``settle`` after the phase
             began), the job sweeps the old partitions that ``target`` changes and moves each entry found
             there to its new partition. When the sweep is done ``target`` becomes ``current`` (``stable``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from gigcore.domain import geo
from gigcore.domain.geo import PartitionLayout

Phase = Literal["stable", "reading", "moving"]


@dataclass(frozen=True)
class LayoutState:
    """What the layout item of one index says: the layout in use, and the one being moved to (if any)."""

    current: PartitionLayout = field(default_factory=PartitionLayout)
    target: PartitionLayout | None = None
    phase: Phase = "stable"
    #: When the phase began (epoch seconds).
    since: float = 0.0
    #: Bumped by every write of the item: each write is conditional on the revision it read.
    revision: int = 0

    def __post_init__(self) -> None:
        if (self.phase == "stable") != (self.target is None):
            raise ValueError("a target layout exists exactly while a move is under way")

    def for_writes(self) -> PartitionLayout:
        """The layout a writer puts new entries under."""
        return self.target if self.phase == "moving" and self.target is not None else self.current

    def for_reads(self) -> PartitionLayout:
        """The layout a search plans with: while a move runs, the common refinement of both (each of its
        partitions lies inside one partition of each), with the newer histogram."""
        if self.target is None:
            return self.current
        return union(self.current, self.target)

    def partitions_of(self, key: str) -> tuple[str, ...]:
        """The partition names a reader must consult for ``key``: old before new (see :func:`read_order`)."""
        if self.target is None:
            return (self.current.partition_of(key).name,)
        old, new = self.current.partition_of(key).name, self.target.partition_of(key).name
        return (old,) if old == new else (old, new)


def union(a: PartitionLayout, b: PartitionLayout) -> PartitionLayout:
    """The layout whose partitions are the intersections of ``a``'s and ``b``'s (histogram and version of ``b``)."""
    return PartitionLayout(splits=tuple(sorted(set(a.splits) | set(b.splits))), histogram=b.histogram,
                           version=b.version, default_density=b.default_density)


@dataclass(frozen=True)
class Plan:
    """A planned layout and whether moving to it is worth its cost."""

    layout: PartitionLayout
    entries: int
    #: Entries in the fullest partition, under the current layout and under the planned one.
    largest_now: int
    largest_planned: int
    #: Entries whose partition key would change (each costs one move).
    to_move: int
    move: bool
    reason: str


def plan(keys: Sequence[str], current: PartitionLayout, *, target: int, threshold: float) -> Plan:
    """Plan split keys and the histogram from the index's ``keys`` and decide whether to move to them.

    A move is worth it when a partition of the current layout holds more than ``target * (1 + threshold)``
    entries (a hot key growing), or when the current layout has more split keys than ``(1 + threshold)`` times
    the planned one plus one (data left; every extra split key can cost a search a Query). Otherwise only the
    histogram is refreshed, which moves nothing. The planned layout keeps the current one's version unless a
    move is decided (then it is the next version).
    """
    if target < 1 or threshold < 0:
        raise ValueError("target must be positive and threshold not negative")
    splits = geo.plan_splits(keys, target)
    histogram = geo.density_histogram(keys)
    planned = PartitionLayout(splits=splits, histogram=histogram, version=current.version)
    now_counts = geo.partition_counts(current, keys)
    largest_now = max(now_counts.values(), default=0)
    largest_planned = max(geo.partition_counts(planned, keys).values(), default=0)
    reason = ""
    if splits != current.splits:
        if largest_now > target * (1 + threshold):
            reason = f"a partition holds {largest_now:,} entries (target {target:,})"
        elif len(current.splits) > (1 + threshold) * len(splits) + 1:
            reason = f"{len(current.splits)} split keys where {len(splits)} suffice"
    move = bool(reason)
    to_move = 0
    if move:
        planned = replace(planned, version=current.version + 1)
        to_move = sum(1 for key in keys if current.partition_of(key).name != planned.partition_of(key).name)
    return Plan(layout=planned, entries=len(keys), largest_now=largest_now, largest_planned=largest_planned,
                to_move=to_move, move=move, reason=reason or "the current split keys are within bounds")


def changed_partitions(old: PartitionLayout, new: PartitionLayout) -> list[str]:
    """The partitions of ``old`` that hold entries whose partition differs under ``new``: every partition of a
    3-character cell whose split keys differ between the two (the others keep exactly their keys)."""
    def by_top(layout: PartitionLayout) -> dict[str, tuple[str, ...]]:
        tops: dict[str, list[str]] = {}
        for split in layout.splits:
            tops.setdefault(split[: geo.PARTITION_PRECISION], []).append(split)
        return {top: tuple(v) for top, v in tops.items()}

    old_tops, new_tops = by_top(old), by_top(new)
    out: list[str] = []
    for top in sorted(set(old_tops) | set(new_tops)):
        if old_tops.get(top, ()) != new_tops.get(top, ()):
            out.append(top)
            out.extend(old_tops.get(top, ()))
    return out


def begin(state: LayoutState, planned: PartitionLayout, now: float) -> LayoutState:
    """Start a move to ``planned`` (readers consult both layouts from now on)."""
    if state.phase != "stable":
        raise ValueError("a move is already under way")
    return LayoutState(current=state.current, target=planned, phase="reading", since=now,
                       revision=state.revision + 1)


def refresh_histogram(state: LayoutState, histogram: dict[str, int], now: float) -> LayoutState:
    """The same split keys with a newly measured histogram (moves nothing, so allowed at any time); a stable
    state's ``since`` is when it was last measured."""
    return replace(state, current=replace(state.current, histogram=histogram), since=now,
                   revision=state.revision + 1)


def settled(state: LayoutState, now: float, settle: float) -> bool:
    """Whether every container has seen the state's phase (its cache of the layout item has expired)."""
    return now - state.since >= settle


def advance(state: LayoutState, now: float) -> LayoutState:
    """The next phase: ``reading`` -> ``moving`` (writers switch), ``moving`` -> ``stable`` (the move is done)."""
    if state.phase == "reading":
        return replace(state, phase="moving", since=now, revision=state.revision + 1)
    if state.phase == "moving" and state.target is not None:
        return LayoutState(current=state.target, target=None, phase="stable", since=now,
                           revision=state.revision + 1)
    raise ValueError("nothing to advance")


@dataclass(frozen=True)
class Progress:
    """Where the sweep of a move stands (checkpointed after every page it moves)."""

    version: int
    remaining: tuple[str, ...]
    #: The last key handled in ``remaining[0]`` (None: from its start).
    after: str | None = None
    moved: int = 0
    capacity: float = 0.0
    revision: int = 0


class Throttle:
    """A token bucket: at most ``rate`` units per second on average, bursts of at most one second's worth.

    ``clock`` and ``sleep`` are injected (time.monotonic and time.sleep in production).
    """

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._tokens = rate
        self._at: float | None = None
        self.waited = 0.0

    def spend(self, units: float) -> None:
        """Take ``units`` from the bucket, sleeping first as long as it needs to refill."""
        now = self._clock()
        if self._at is not None:
            self._tokens = min(self.rate, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= units
        if self._tokens < 0:
            wait = -self._tokens / self.rate
            self.waited += wait
            self._sleep(wait)
            self._at = now + wait
            self._tokens = 0.0


def move_cost_wcu(to_move: int, entry_bytes: int = 160, owner_bytes: int = 1500, owner_indexes: int = 2) -> float:
    """WCU of moving ``to_move`` entries: each move is one transaction (put the new entry, delete the old,
    update the owner's ``geo_pk``, which rewrites the owner's copies in its ``owner_indexes`` GSIs too), and a
    transaction costs twice the write units of its writes. 16 for a gig (bench/geo measures the same)."""
    owner = math.ceil(owner_bytes / 1024) * (1 + owner_indexes)
    return float(to_move * (math.ceil(entry_bytes / 1024) * 2 + owner) * 2)


def keys_of(entries: Iterable[str]) -> list[str]:
    """Index sort keys (``<geohash>#<id>``) to the geohashes the planner reads."""
    return [key[: geo.KEY_PRECISION] for key in entries]
