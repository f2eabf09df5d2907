"""Health of the platform's dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.ports import DependencyProbe


def check_health(probes: Sequence[DependencyProbe]) -> dict[str, str]:
    """``{name: "ok" | "down"}`` for every probe, pinged in parallel so one slow one costs one timeout.

    A probe that raises anything counts as down; the cause goes to the log, not to the caller.
    """

    def state(probe: DependencyProbe) -> str:
        try:
            probe.ping()
        except UpstreamUnavailableError:
            return "down"
        except Exception:  # a probe must never turn /health into a 500
            return "down"
        return "ok"

    with ThreadPoolExecutor(max_workers=max(1, len(probes))) as pool:
        states = list(pool.map(state, probes))
    return {probe.name: result for probe, result in zip(probes, states, strict=True)}
