"""Modules imported when first used, not when the app is imported.

A route module names the services it calls at its top, but their code (and the domain, ports and helpers they
pull in) loads when a view first calls one: a cold start pays for the app's routes and models, and the first
request for the use cases it runs. ``importlib.import_module`` holds the import lock, so two threads that
first use a module at once get the same module, run once.

    if TYPE_CHECKING:
        from gigcore.services import gigs
    else:
        gigs = on_first_use("gigcore.services.gigs")
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _OnFirstUse:
    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def on_first_use(name: str) -> Any:
    """A stand-in for the module ``name`` that imports it on its first attribute read."""
    return _OnFirstUse(name)
