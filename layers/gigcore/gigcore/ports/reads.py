"""Reads that may be answered from a copy (a per-instance cache): the part of a repository a read-only use
case needs. A repository is one (it has ``get`` and ``get_many``); so is a cache in front of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

K = TypeVar("K")
V = TypeVar("V", covariant=True)


class Reads(Protocol[K, V]):
    def get(self, key: K, /) -> V | None:
        """The value of ``key``, or None when there is none."""
        ...

    def get_many(self, keys: Sequence[K], /) -> Mapping[K, V]:
        """The values of ``keys`` that exist (absent keys are left out)."""
        ...
