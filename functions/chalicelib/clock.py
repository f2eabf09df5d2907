"""The time a request or an event is handled at: the composition root's :class:`~gigcore.ports.clock.Clock`
(the system's clock when deployed; a test sets a fake one on the container)."""

from __future__ import annotations

from datetime import datetime

from gigcore import bootstrap


def now() -> datetime:
    return bootstrap.container().clock.now()
