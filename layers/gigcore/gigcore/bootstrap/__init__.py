"""The composition root: reads settings once and wires adapters lazily, once per cold start.

Handlers call :func:`container` and hand what it builds to services. Nothing else creates clients or reads the
environment. By what it holds:

- :mod:`~gigcore.bootstrap.settings`: the settings, with the secrets from Secrets Manager;
- :mod:`~gigcore.bootstrap.adapters`: the adapter factory (one adapter per port, built on first use);
- :mod:`~gigcore.bootstrap.wiring`: the services put together, the consumers' subscriptions, the read caches
  and their one invalidation path;
- :mod:`~gigcore.bootstrap.probes`: what ``GET /health`` pings.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from gigcore.bootstrap.settings import settings

if TYPE_CHECKING:
    from gigcore.bootstrap.wiring import Container

__all__ = ["container", "reset", "settings"]


@functools.cache
def container() -> Container:
    from gigcore.bootstrap.wiring import Container  # the wiring's imports are the first request's, not the import's

    return Container(settings())


def reset() -> None:
    """Forget settings and adapters (tests that change the environment call this)."""
    settings.cache_clear()
    container.cache_clear()
