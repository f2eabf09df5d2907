"""The system's clock (the :class:`gigcore.ports.clock.Clock` of every deployed function)."""

from __future__ import annotations

from datetime import datetime

from gigcore.domain.clock import utc_now


class SystemClock:
    def now(self) -> datetime:
        return utc_now()
