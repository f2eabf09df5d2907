"""A bounded, per-process read cache: least recently used entries go first, every entry expires.

One cache lives in each Lambda instance (built by the composition root), so there is no cache service to
run and nothing to share. What that costs is staleness: an instance that did not make a change only
forgets its copy when the entry expires, or when it sees the change on the stream or an outbox event
(see docs/scaling.md, "Caching"). Only what may be a few seconds old belongs here.

The counters (hits, misses, evictions, invalidations) are per process; :func:`counters` adds up every
cache of the process, which is what the local runtime reports to the load tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class CacheCounters:
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    invalidations: int = 0
    size: int = 0

    def __add__(self, other: CacheCounters) -> CacheCounters:
        return CacheCounters(self.hits + other.hits, self.misses + other.misses, self.evictions + other.evictions,
                             self.invalidations + other.invalidations, self.size + other.size)

    @property
    def hit_ratio(self) -> float | None:
        looked_up = self.hits + self.misses
        return self.hits / looked_up if looked_up else None


class TtlLruCache(Generic[K, V]):
    """At most ``max_entries`` values, each forgotten ``ttl_seconds`` after it was stored.

    ``None`` is never stored (an absent item must be seen as soon as it is created). Thread-safe: handlers
    may read through it from worker threads.
    """

    def __init__(self, name: str, *, max_entries: int, ttl_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.name = name
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = self._evictions = self._invalidations = 0

    def get(self, key: K) -> V | None:
        """The live value stored under ``key`` (a hit), or None (a miss: absent or expired)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                expires, value = found
                if self._clock() < expires:
                    self._entries.move_to_end(key)
                    self._hits += 1
                    return value
                del self._entries[key]
            self._misses += 1
            return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self._evictions += 1

    def get_or_load(self, key: K, load: Callable[[K], V | None]) -> V | None:
        """The cached value, or ``load(key)`` stored for next time (unless it is None)."""
        value = self.get(key)
        if value is None:
            value = load(key)
            if value is not None:
                self.put(key, value)
        return value

    def get_many_or_load(self, keys: Sequence[K], load_many: Callable[[list[K]], Mapping[K, V]]) -> dict[K, V]:
        """The cached values of ``keys``, the missing ones loaded in one ``load_many`` call and stored for next
        time (keys it does not return are left out)."""
        found: dict[K, V] = {}
        missing: list[K] = []
        for key in keys:
            value = self.get(key)
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            for key, value in load_many(missing).items():
                self.put(key, value)
                found[key] = value
        return found

    def invalidate(self, key: K) -> bool:
        """Forget ``key``; True when something was forgotten."""
        with self._lock:
            if self._entries.pop(key, None) is None:
                return False
            self._invalidations += 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def counters(self) -> CacheCounters:
        with self._lock:
            return CacheCounters(self._hits, self._misses, self._evictions, self._invalidations,
                                 len(self._entries))


_registry: dict[str, TtlLruCache[object, object]] = {}


def register(cache: TtlLruCache[K, V]) -> TtlLruCache[K, V]:
    """Make ``cache`` count in :func:`counters` (a newer cache of the same name replaces the older)."""
    _registry[cache.name] = cache  # type: ignore[assignment]
    return cache


def counters() -> CacheCounters:
    """The counters of every registered cache of this process, added up."""
    total = CacheCounters()
    for cache in list(_registry.values()):
        total = total + cache.counters()
    return total


class CachedReads(Generic[K, V]):
    """A repository's reads through ``cache()`` (a :class:`gigcore.ports.reads.Reads`): a copy up to the cache's
    TTL old may answer. The cache is looked up on each read, so a process that swaps it (a test) is heard.

    Only for reads that change nothing: a write reads the stored item, never a copy."""

    def __init__(self, cache: Callable[[], TtlLruCache[K, V]], load: Callable[[K], V | None],
                 load_many: Callable[[list[K]], Mapping[K, V]]) -> None:
        self._cache = cache
        self._load = load
        self._load_many = load_many

    def get(self, key: K, /) -> V | None:
        return self._cache().get_or_load(key, self._load)

    def get_many(self, keys: Sequence[K], /) -> dict[K, V]:
        return self._cache().get_many_or_load(keys, self._load_many)
