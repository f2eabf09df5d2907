"""``check_health`` on fake probes: each dependency's state by name, never an error."""

from __future__ import annotations

import time

from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.services.health import check_health


class Probe:
    def __init__(self, name: str, fails: Exception | None = None, takes: float = 0.0) -> None:
        self.name = name
        self.fails = fails
        self.takes = takes

    def ping(self) -> None:
        time.sleep(self.takes)
        if self.fails is not None:
            raise self.fails


def test_every_dependency_is_reported_by_name():
    states = check_health([Probe("dynamodb"), Probe("sqs", UpstreamUnavailableError("down")),
                           Probe("stripe", RuntimeError("a bug in a probe"))])
    assert states == {"dynamodb": "ok", "sqs": "down", "stripe": "down"}


def test_probes_are_pinged_together():
    started = time.monotonic()
    states = check_health([Probe(f"p{i}", takes=0.2) for i in range(5)])
    assert set(states.values()) == {"ok"}
    assert time.monotonic() - started < 0.2 * 3  # not one after the other (1 s)


def test_no_probe_is_an_empty_report():
    assert check_health([]) == {}
