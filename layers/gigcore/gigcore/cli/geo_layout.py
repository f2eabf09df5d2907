"""The geo layout job from a shell: the same code the ``geo_layout`` schedule runs (docs/geo.md).

    python -m gigcore.cli.geo_layout plan   [--index gig|freelancer|all] [--target N] [--threshold X]
    python -m gigcore.cli.geo_layout apply  [--index ...] [--until-done] [--settle-seconds S] [--wcu-per-second W]
    python -m gigcore.cli.geo_layout status [--index ...]

``plan`` measures and prints what a run would decide, writing nothing. ``apply`` takes the next step (what one
scheduled run does); with ``--until-done`` it goes on, waiting out each phase, until the index is stable.
``status`` prints the stored phase and a running move's checkpoint. Settings come from the environment
(``GIGCONNECT_GEO_LAYOUT_*``); the flags override them for this run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TextIO

from gigcore import bootstrap
from gigcore.services import geo_layout
from gigcore.services.geo_layout import LayoutJobSettings, RunReport

INDEXES = ("gig", "freelancer")


def describe(report: RunReport) -> str:
    parts = [f"{report.index}: {report.action} (phase {report.phase})"]
    if report.entries is not None:
        parts.append(f"{report.entries:,} entries, largest partition {report.largest_now:,} now, "
                     f"{report.largest_planned:,} planned, {report.to_move:,} to move")
    if report.moved or report.capacity:
        parts.append(f"moved {report.moved:,} ({report.capacity:,.0f} WCU, throttled {report.throttled_seconds:.0f} s)")
    if report.read_capacity:
        parts.append(f"measuring read {report.read_capacity:,.0f} RCU")
    if report.detail:
        parts.append(report.detail)
    return "; ".join(parts)


def apply(index: str, settings: LayoutJobSettings, *, until_done: bool, out: TextIO,
          poll_seconds: float = 5.0) -> list[RunReport]:
    """Run the job on ``index`` once, or until it is stable (sleeping while a phase settles)."""
    store = bootstrap.container().geo_layout_store
    reports: list[RunReport] = []
    while True:
        report = geo_layout.run(index, store=store, settings=settings)
        reports.append(report)
        print(describe(report), file=out, flush=True)
        if not until_done or report.action in ("unchanged", "histogram", "done", "busy"):
            return reports
        if report.action == "waiting":
            time.sleep(min(poll_seconds, max(settings.settle_seconds, 0.0)) or 0.0)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m gigcore.cli.geo_layout", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("plan", "apply", "status"))
    parser.add_argument("--index", choices=(*INDEXES, "all"), default="all")
    parser.add_argument("--until-done", action="store_true", help="apply: go on until the index is stable")
    parser.add_argument("--target", type=int)
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--settle-seconds", type=float)
    parser.add_argument("--wcu-per-second", type=float)
    parser.add_argument("--rcu-per-second", type=float)
    args = parser.parse_args(argv)
    container = bootstrap.container()
    settings: LayoutJobSettings = container.geo_layout_settings
    overrides = {name: getattr(args, name) for name in
                 ("target", "threshold", "settle_seconds", "wcu_per_second", "rcu_per_second")
                 if getattr(args, name) is not None}
    settings = replace(settings, **overrides)
    store = container.geo_layout_store
    for index in INDEXES if args.index == "all" else (args.index,):
        if args.command == "plan":
            state, planned, rcu = geo_layout.plan(index, store=store, settings=settings)
            layout = planned.layout
            print(f"{index}: phase {state.phase}; {planned.entries:,} entries; {len(state.current.splits)} split keys "
                  f"now, {len(layout.splits)} planned; largest partition {planned.largest_now:,} now, "
                  f"{planned.largest_planned:,} planned; histogram of {len(layout.histogram)} cells; "
                  f"measuring read {rcu:,.0f} RCU", file=out)
            cost = geo_layout_cost(planned.to_move, settings)
            print(f"{index}: {'move' if planned.move else 'no move'}: {planned.reason}"
                  + (f"; {planned.to_move:,} entries to move, ~{cost[0]:,.0f} WCU, ~{cost[1]:.1f} min at "
                     f"{settings.wcu_per_second:g} WCU/s" if planned.move else ""), file=out)
        elif args.command == "apply":
            apply(index, settings, until_done=args.until_done, out=out)
        else:
            state = store.state(index)
            progress = store.progress(index)
            line = (f"{index}: phase {state.phase} since {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(state.since))}"
                    f" UTC; layout v{state.current.version} with {len(state.current.splits)} split keys")
            if state.target is not None:
                line += f"; moving to v{state.target.version} with {len(state.target.splits)} split keys"
            if progress is not None and state.target is not None:
                line += (f"; {len(progress.remaining)} partitions left to sweep, {progress.moved:,} moved, "
                         f"{progress.capacity:,.0f} WCU")
            print(line, file=out)
    return 0


def geo_layout_cost(to_move: int, settings: LayoutJobSettings) -> tuple[float, float]:
    """(WCU, minutes at the throttle) a move of ``to_move`` entries is expected to take."""
    from gigcore.domain.geo_layout import move_cost_wcu

    wcu = move_cost_wcu(to_move)
    return wcu, wcu / settings.wcu_per_second / 60


if __name__ == "__main__":
    sys.exit(main())
