"""The local event source mappings' loop: a failing poll never turns into a tight loop of errors."""

from __future__ import annotations

from infra.local.runtime.pollers import Poller


class _Stopping:
    """A stop event that records every wait and stops the loop after three."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def is_set(self) -> bool:
        return len(self.waits) >= 3

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return self.is_set()

    def set(self) -> None:
        self.waits += [0.0] * 3


class _Failing(Poller):
    idle_wait = 0.0  # as the SQS poller, whose long poll does the waiting

    def __init__(self) -> None:
        super().__init__("failing")
        self.stopping = _Stopping()  # type: ignore[assignment]
        self.calls = 0

    def poll_once(self) -> bool:
        self.calls += 1
        raise ConnectionError("the queue service is down")


def test_a_poller_whose_service_is_down_waits_between_attempts_and_keeps_trying():
    poller = _Failing()
    poller.run()  # in this thread: it returns once the stop event says so
    assert poller.calls == 3
    assert poller.stopping.waits == [Poller.error_wait] * 3 and Poller.error_wait >= 1.0
