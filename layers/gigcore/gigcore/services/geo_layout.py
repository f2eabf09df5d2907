"""The layout job: keep each geo index's partition layout in step with its data, online (docs/geo.md).

One call of :func:`run` does what the index's state allows now and returns; the schedule calls it every few
minutes and the CLI (``python -m gigcore.cli.geo_layout``) in a loop. Every step is stored before the next is
taken, so a run that dies anywhere is resumed by the next one:

- ``stable``: measure the index (every entry's key), plan split keys and the histogram; when the plan changes
  enough (:func:`gigcore.domain.geo_layout.plan`), start a move (``reading``), else refresh the histogram.
- ``reading``, once settled: writers switch to the new layout (``moving``).
- ``moving``, once settled: sweep the old partitions the new layout changes, moving each entry found there,
  checkpointing after every page; at the end the new layout becomes the current one (``stable``).

Moves are throttled to ``wcu_per_second`` of write capacity and the measuring scan to ``rcu_per_second``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from gigcore.domain import geo_layout
from gigcore.domain.errors import ConflictError
from gigcore.domain.geo_layout import LayoutState, Progress, Throttle
from gigcore.ports.gigs import GeoLayoutStore

Action = Literal["unchanged", "histogram", "started", "waiting", "writers-switched", "moved", "paused", "done",
                 "busy"]


@dataclass(frozen=True)
class LayoutJobSettings:
    """The job's knobs (``GIGCONNECT_GEO_LAYOUT_*`` settings)."""

    #: Entries per partition the layout aims at.
    target: int = 8000
    #: How much the plan must differ before entries move (see :func:`gigcore.domain.geo_layout.plan`).
    threshold: float = 0.25
    #: Wait between phases: longer than any container caches the layout item (5 minutes), plus margin.
    settle_seconds: float = 360.0
    #: Share of the table's capacity the job may take: write units per second for moves, read units for the scan.
    wcu_per_second: float = 50.0
    rcu_per_second: float = 1000.0
    #: A stable index is measured (a Scan of the table, so not every run) at most this often.
    measure_every_seconds: float = 6 * 3600.0
    #: Stop (and resume at the next run) after this long; below the function's timeout.
    budget_seconds: float = 780.0
    #: Entries read per page of a sweep (one checkpoint each).
    page: int = 100


@dataclass(frozen=True)
class RunReport:
    index: str
    action: Action
    phase: str
    detail: str = ""
    entries: int | None = None
    largest_now: int | None = None
    largest_planned: int | None = None
    to_move: int | None = None
    moved: int = 0
    capacity: float = 0.0
    read_capacity: float = 0.0
    throttled_seconds: float = 0.0


def plan(index: str, *, store: GeoLayoutStore, settings: LayoutJobSettings,
         clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> tuple[LayoutState, geo_layout.Plan, float]:
    """Measure ``index`` and plan its layout, writing nothing: (stored state, plan, read capacity used)."""
    state = store.state(index)
    reads = Throttle(settings.rcu_per_second, clock, sleep)
    spent = [0.0]

    def spend(units: float) -> None:
        spent[0] += units
        reads.spend(units)

    keys = geo_layout.keys_of(store.scan_keys(index, spend))
    return state, geo_layout.plan(keys, state.current, target=settings.target, threshold=settings.threshold), spent[0]


def run(index: str, *, store: GeoLayoutStore, settings: LayoutJobSettings, now: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> RunReport:
    """Take the next step(s) of ``index``'s layout; see the module docstring. Idempotent and resumable: a
    crash anywhere leaves a state from which the next run goes on. A concurrent run is detected (every write
    is conditional on what was read) and this one then stops with ``busy``."""
    try:
        return _run(index, store, settings, now, clock, sleep)
    except ConflictError as exc:
        return RunReport(index=index, action="busy", phase="?", detail=str(exc))


def _run(index: str, store: GeoLayoutStore, settings: LayoutJobSettings, now: Callable[[], float],
         clock: Callable[[], float], sleep: Callable[[float], None]) -> RunReport:
    state = store.state(index)
    if state.phase == "stable" and state.since and now() - state.since < settings.measure_every_seconds:
        return RunReport(index=index, action="unchanged", phase="stable", detail="measured recently")
    if state.phase == "stable":
        leftover = store.progress(index)
        if leftover is not None:  # a run died between ending a move and forgetting its checkpoint
            store.save_progress(index, None, expected_revision=leftover.revision)
        state, planned, read_capacity = plan(index, store=store, settings=settings, clock=clock, sleep=sleep)
        if planned.move:
            store.store(index, geo_layout.begin(state, planned.layout, now()), expected_revision=state.revision)
            action: Action = "started"
        else:
            changed = dict(planned.layout.histogram) != dict(state.current.histogram)
            store.store(index, geo_layout.refresh_histogram(state, dict(planned.layout.histogram), now()),
                        expected_revision=state.revision)
            action = "histogram" if changed else "unchanged"
        return RunReport(index=index, action=action, phase="reading" if planned.move else "stable",
                         detail=planned.reason, entries=planned.entries, largest_now=planned.largest_now,
                         largest_planned=planned.largest_planned, to_move=planned.to_move,
                         read_capacity=read_capacity)
    if not geo_layout.settled(state, now(), settings.settle_seconds):
        wait = settings.settle_seconds - (now() - state.since)
        return RunReport(index=index, action="waiting", phase=state.phase,
                         detail=f"{wait:.0f} s until every container has seen phase {state.phase}")
    if state.phase == "reading":
        store.store(index, geo_layout.advance(state, now()), expected_revision=state.revision)
        return RunReport(index=index, action="writers-switched", phase="moving")
    return _sweep(index, state, store, settings, now, clock, sleep)


def _sweep(index: str, state: LayoutState, store: GeoLayoutStore, settings: LayoutJobSettings,
           now: Callable[[], float], clock: Callable[[], float], sleep: Callable[[float], None]) -> RunReport:
    target = state.target
    assert target is not None  # noqa: S101 - a moving state has a target (LayoutState checks it)
    progress = store.progress(index)
    if progress is None or progress.version != target.version:
        fresh = Progress(version=target.version,
                         remaining=tuple(geo_layout.changed_partitions(state.current, target)))
        store.save_progress(index, fresh, expected_revision=None if progress is None else progress.revision)
        progress = fresh
    writes = Throttle(settings.wcu_per_second, clock, sleep)
    started = clock()
    moved = 0
    capacity = 0.0
    while progress.remaining:
        if clock() - started >= settings.budget_seconds:
            return RunReport(index=index, action="paused", phase="moving", moved=moved, capacity=capacity,
                             throttled_seconds=writes.waited,
                             detail=f"{len(progress.remaining)} partitions left; the next run goes on")
        partition = progress.remaining[0]
        items = store.page(index, partition, progress.after, settings.page)
        page_moved = 0
        page_capacity = 0.0
        for item in items:
            to = target.partition_of(item["sk"]["S"]).name
            if to == partition:
                continue
            spent = store.move(index, item, to)
            # What the move took (DynamoDB says), or what one is expected to take when nothing was written.
            writes.spend(spent if spent is not None else geo_layout.move_cost_wcu(1))
            if spent is not None:
                page_moved += 1
                page_capacity += spent
        moved += page_moved
        capacity += page_capacity
        if len(items) < settings.page:
            nxt = replace(progress, remaining=progress.remaining[1:], after=None)
        else:
            nxt = replace(progress, after=items[-1]["sk"]["S"])
        nxt = replace(nxt, moved=progress.moved + page_moved, capacity=progress.capacity + page_capacity,
                      revision=progress.revision + 1)
        store.save_progress(index, nxt, expected_revision=progress.revision)
        progress = nxt
    store.store(index, geo_layout.advance(state, now()), expected_revision=state.revision)
    store.save_progress(index, None, expected_revision=progress.revision)
    return RunReport(index=index, action="done", phase="stable", moved=moved, capacity=capacity,
                     throttled_seconds=writes.waited,
                     detail=f"{progress.moved:,} entries moved in all, {progress.capacity:,.0f} WCU")
