"""The load report: figures per step of the load shape, from one record per request.

Pure functions over plain records (no locust import), so a unit test can check them
(tests/unit/test_load_report.py). ``write`` puts ``report.json``, ``report.md``, ``latency.png`` and the records
(``records.jsonl``, one request a line) in one folder and returns the Markdown text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Timing:
    """What the local runtime's ``Server-Timing`` header tells of one request (nothing on a stage)."""

    cpu_ms: float | None = None
    handler_ms: float | None = None
    gateway_ms: float | None = None
    cache_hits: int = 0
    cache_misses: int = 0
    first: bool | None = None


@dataclass(frozen=True)
class Record:
    """One request: when it ended (seconds since the test started), in which step, its scenario and name.

    ``handler_ms`` is the handler's wall time in its worker, ``gateway_ms`` the time from the gateway handing
    the event over to the answer (so ``gateway_ms - handler_ms`` is the wait for a free worker), and
    ``ms - gateway_ms`` what the client saw beyond the gateway (its own scheduling, the connection). ``first``:
    the worker's first call of the route (None when the server does not say, as on a stage)."""

    at: float
    step: int
    scenario: str
    name: str
    method: str
    ms: float
    ok: bool
    cpu_ms: float | None = None
    cache_hits: int = 0
    cache_misses: int = 0
    handler_ms: float | None = None
    gateway_ms: float | None = None
    first: bool | None = None


@dataclass(frozen=True)
class Step:
    """A phase of the shape: ``rate`` scenario runs per second offered for ``seconds``."""

    rate: float
    seconds: float


@dataclass
class Figures:
    requests: int = 0
    requests_per_s: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_rate: float = 0.0
    cpu_ms_per_request: float | None = None
    cache_hit_ratio: float | None = None
    #: Where the p50 request's time went: in the handler, waiting for a worker, outside the gateway.
    handler_ms_p50: float | None = None
    worker_wait_ms_p50: float | None = None
    client_side_ms_p50: float | None = None
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def figures(records: Sequence[Record], seconds: float) -> Figures:
    """Throughput, latency percentiles, error rate, handler CPU and cache hit ratio of ``records``."""
    found = Figures(requests=len(records))
    if not records:
        return found
    latencies = [r.ms for r in records]
    cpu = [r.cpu_ms for r in records if r.cpu_ms is not None]
    hits, misses = sum(r.cache_hits for r in records), sum(r.cache_misses for r in records)
    found.requests_per_s = len(records) / seconds if seconds > 0 else 0.0
    found.p50_ms, found.p95_ms, found.p99_ms = (percentile(latencies, p) for p in (50, 95, 99))
    found.error_rate = sum(1 for r in records if not r.ok) / len(records)
    found.cpu_ms_per_request = _mean(cpu)
    found.cache_hit_ratio = hits / (hits + misses) if hits + misses else None
    timed = [r for r in records if r.handler_ms is not None and r.gateway_ms is not None]
    found.handler_ms_p50 = percentile([r.handler_ms for r in timed if r.handler_ms is not None], 50)
    found.worker_wait_ms_p50 = percentile([r.gateway_ms - r.handler_ms for r in timed
                                           if r.gateway_ms is not None and r.handler_ms is not None], 50)
    found.client_side_ms_p50 = percentile([r.ms - r.gateway_ms for r in timed if r.gateway_ms is not None], 50)
    names = sorted({r.name for r in records})
    for name in names:
        mine = [r for r in records if r.name == name]
        mine_cpu = [r.cpu_ms for r in mine if r.cpu_ms is not None]
        found.by_name[name] = {
            "requests": len(mine), "p50_ms": percentile([r.ms for r in mine], 50),
            "p95_ms": percentile([r.ms for r in mine], 95),
            "errors": sum(1 for r in mine if not r.ok),
            "cpu_ms_p50": percentile(mine_cpu, 50), "cpu_ms_mean": _mean(mine_cpu),
        }
    return found


def summarize(records: Iterable[Record], steps: Sequence[Step]) -> dict[str, Any]:
    """Figures per step, for the whole run, per scenario per step, and the goals' verdicts."""
    records = list(records)
    per_step = []
    for index, step in enumerate(steps):
        mine = [r for r in records if r.step == index]
        scenarios = {name: asdict(figures([r for r in mine if r.scenario == name], step.seconds))
                     for name in sorted({r.scenario for r in mine})}
        per_step.append({"step": index + 1, "rate": step.rate, "seconds": step.seconds,
                         **asdict(figures(mine, step.seconds)), "scenarios": scenarios})
    total = asdict(figures(records, sum(s.seconds for s in steps)))
    return {"steps": per_step, "total": total, "goals": goals(records, per_step)}


def goals(records: Sequence[Record], per_step: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """CPU per warm GET (< 5 ms) and per warm POST (< 15 ms) in the handler; the browse p95 (< 100 ms) at the
    highest step the stack sustained: no error in it and no standing queue (:func:`queued`). Sign-up and login
    are not in the POST goal: their password hash is a deliberate cost (their figures are in the per-request
    table)."""
    # Warm: not its worker's first call of the route (what a route imports or builds on first use is paid
    # there). A server that does not say (``first`` None): not the first request of its name in the run.
    seen: set[str] = set()
    warm_get, post = [], []
    for r in sorted(records, key=lambda r: r.at):
        first = r.name not in seen if r.first is None else r.first
        seen.add(r.name)
        if r.cpu_ms is None or not r.ok or first:
            continue
        if r.method == "GET":
            warm_get.append(r.cpu_ms)
        elif r.method == "POST" and not r.name.startswith("POST /auth/"):
            post.append(r.cpu_ms)
    browse = [s for s in per_step if "browse gigs" in s["scenarios"]]
    sustained = [s for s in browse if s["error_rate"] == 0 and not queued(s)]
    best = max(sustained, key=lambda s: s["rate"]) if sustained else None
    beyond = [s for s in browse if best is None or s["rate"] > best["rate"]]
    return {
        "cpu_ms_per_warm_get_p50": percentile(warm_get, 50), "cpu_ms_per_warm_get_mean": _mean(warm_get),
        "cpu_ms_per_post_p50": percentile(post, 50), "cpu_ms_per_post_mean": _mean(post),
        "browse_highest_sustained_step": best["step"] if best else None,
        "browse_highest_sustained_rate": best["rate"] if best else None,
        "browse_p95_ms_there": best["scenarios"]["browse gigs"]["p95_ms"] if best else None,
        "not_sustained": [{"step": s["step"], "rate": s["rate"], "error_rate": s["error_rate"],
                           "worker_wait_ms_p50": s["worker_wait_ms_p50"], "handler_ms_p50": s["handler_ms_p50"],
                           "browse_p95_ms": s["scenarios"]["browse gigs"]["p95_ms"]} for s in beyond],
    }


def queued(step: dict[str, Any]) -> bool:
    """A step the server did not keep up with: its typical request waited longer for a worker than it then ran
    (p50 wait over p50 handler time), i.e. a standing queue. Unknown (no Server-Timing, as on a stage): no."""
    wait, handler = step.get("worker_wait_ms_p50"), step.get("handler_ms_p50")
    return wait is not None and handler is not None and wait > handler


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(summary: dict[str, Any], notes: Sequence[str] = ()) -> str:
    lines = ["# GigConnect load report", ""]
    lines += [f"- {note}" for note in notes]
    lines += ["", "| step | offered runs/s | requests | req/s | p50 ms | p95 ms | p99 ms | errors | "
              "CPU ms/req | cache hits | p50 in handler / waiting for a worker / client side ms |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in summary["steps"]:
        ratio = "-" if s["cache_hit_ratio"] is None else f"{100 * s['cache_hit_ratio']:.0f}%"
        lines.append(f"| {s['step']} | {s['rate']:g} | {s['requests']} | {s['requests_per_s']:.1f} | "
                     f"{_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])} | {_fmt(s['p99_ms'])} | "
                     f"{100 * s['error_rate']:.1f}% | {_fmt(s['cpu_ms_per_request'], 2)} | {ratio} | "
                     f"{_fmt(s['handler_ms_p50'])} / {_fmt(s['worker_wait_ms_p50'])} / "
                     f"{_fmt(s['client_side_ms_p50'])} |")
    lines += ["", "Per scenario and step:", "", "| step | scenario | requests | p50 ms | p95 ms | errors |",
              "|---|---|---|---|---|---|"]
    for s in summary["steps"]:
        for name, f in s["scenarios"].items():
            lines.append(f"| {s['step']} | {name} | {f['requests']} | {_fmt(f['p50_ms'])} | "
                         f"{_fmt(f['p95_ms'])} | {100 * f['error_rate']:.1f}% |")
    lines += ["", "Per request name (whole run):", "",
              "| request | requests | p50 ms | p95 ms | errors | handler CPU ms p50 | mean |",
              "|---|---|---|---|---|---|---|"]
    for name, f in summary["total"]["by_name"].items():
        lines.append(f"| {name} | {f['requests']} | {_fmt(f['p50_ms'])} | {_fmt(f['p95_ms'])} | {f['errors']} | "
                     f"{_fmt(f['cpu_ms_p50'], 2)} | {_fmt(f['cpu_ms_mean'], 2)} |")
    g = summary["goals"]
    lines += ["", "Goals:", "",
              "- handler CPU per warm GET (not a worker's first of its route): p50 "
              f"{_fmt(g['cpu_ms_per_warm_get_p50'], 2)} ms, mean "
              f"{_fmt(g['cpu_ms_per_warm_get_mean'], 2)} ms (goal < 5 ms)",
              f"- handler CPU per warm POST: p50 {_fmt(g['cpu_ms_per_post_p50'], 2)} ms, mean "
              f"{_fmt(g['cpu_ms_per_post_mean'], 2)} ms (goal < 15 ms; /auth/* left out: the password hash)",
              "- browse gigs p95 at the highest step the stack sustained (no error, no standing queue: the p50 "
              f"request waited less for a worker than it ran) (step {g['browse_highest_sustained_step']}, "
              f"{g['browse_highest_sustained_rate']} runs/s): {_fmt(g['browse_p95_ms_there'])} ms (goal < 100 ms)"]
    for s in g["not_sustained"]:
        lines.append(f"- not sustained: step {s['step']} ({s['rate']:g} runs/s): errors "
                     f"{100 * s['error_rate']:.1f}%, p50 wait for a worker {_fmt(s['worker_wait_ms_p50'])} ms against "
                     f"{_fmt(s['handler_ms_p50'])} ms in the handler, browse p95 {_fmt(s['browse_p95_ms'])} ms")
    return "\n".join(lines) + "\n"


def chart(records: Sequence[Record], steps: Sequence[Step], path: Path, bucket_s: float = 2.0) -> None:
    """p50 and p95 latency per scenario in ``bucket_s`` windows, with the step boundaries marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(11, 5))
    for scenario in sorted({r.scenario for r in records}):
        buckets: dict[int, list[float]] = {}
        for r in records:
            if r.scenario == scenario:
                buckets.setdefault(int(r.at // bucket_s), []).append(r.ms)
        xs = sorted(buckets)
        line, = axis.plot([(x + 0.5) * bucket_s for x in xs], [percentile(buckets[x], 95) for x in xs],
                          label=f"{scenario} p95")
        axis.plot([(x + 0.5) * bucket_s for x in xs], [percentile(buckets[x], 50) for x in xs],
                  linestyle=":", color=line.get_color(), label=f"{scenario} p50")
    start = 0.0
    for index, step in enumerate(steps):
        axis.axvline(start, color="grey", linewidth=0.6)
        axis.text(start + 0.3, 0.98, f"step {index + 1}: {step.rate:g}/s", transform=axis.get_xaxis_transform(),
                  fontsize=8, va="top")
        start += step.seconds
    axis.set_xlabel("seconds since the start")
    axis.set_ylabel("latency ms")
    axis.set_yscale("log")
    axis.set_title("GigConnect load: latency over the phases")
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(records: Sequence[Record], steps: Sequence[Step], folder: Path, notes: Sequence[str] = ()) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarize(records, steps)
    (folder / "report.json").write_text(json.dumps({"notes": list(notes), **summary}, indent=2))
    (folder / "records.jsonl").write_text("".join(json.dumps(asdict(r)) + "\n" for r in records))
    text = markdown(summary, notes)
    (folder / "report.md").write_text(text)
    if records:
        chart(records, steps, folder / "latency.png")
    return text
