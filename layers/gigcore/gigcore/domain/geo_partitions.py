"""The partition layout of a geo index: which partition key each geohash key lives under.

Every 3-character cell (about 156 x 156 km at the equator) is a partition, and dense ones are cut further at
*split keys*, each partition then holding one contiguous run of keys; a density histogram guides the search
planner (see docs/geo.md). Pure functions, no I/O.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from gigcore.domain.geohash import (
    KEY_PRECISION,
    PARTITION_PRECISION,
    cell_area_km2,
    cells_between,
    is_cell,
    key_point,
    successor,
)

#: How many cells' expectations a layout remembers (a few MB at most).
_EXPECTED_MEMO_SIZE = 65536


@dataclass(frozen=True)
class Partition:
    """One partition key of the index: the keys ``[start, end)``; ``end`` None means the end of its top cell."""

    name: str
    start: str
    end: str | None


class Piece(NamedTuple):
    """The part of a cell's keys ``[lo, hi)`` under one partition (``hi`` None: to the partition's end)."""

    partition: str
    lo: str
    hi: str | None
    cell: str
    #: Where ``lo`` and ``hi`` stand in the key order (:func:`key_point`): two pieces join into one key range
    #: when the first ends where the second starts, in the same partition.
    start: str
    end: str | None


@dataclass(frozen=True)
class PartitionLayout:
    """Where each key lives. Every 3-character cell is a partition unless split further at ``splits``.

    ``histogram`` counts entries per cell as last measured (see :func:`density_histogram`): the search
    planner's prior of how many entries a cell holds. Where it knows nothing, ``default_density`` (entries
    per km2) stands in.
    """

    splits: tuple[str, ...] = ()
    histogram: Mapping[str, int] = field(default_factory=dict)
    version: int = 0
    default_density: float = 1.0

    def __post_init__(self) -> None:
        for split in self.splits:
            if not is_cell(split) or len(split) <= PARTITION_PRECISION:
                raise ValueError(f"split key {split!r} must be a geohash longer than {PARTITION_PRECISION}")
        if list(self.splits) != sorted(set(self.splits)):
            raise ValueError("split keys must be sorted and distinct")

    def partition_of(self, key: str) -> Partition:
        """The partition holding ``key`` (a geohash, or any key starting with one)."""
        top = key[:PARTITION_PRECISION]
        i = bisect.bisect_right(self.splits, key) - 1
        start = self.splits[i] if i >= 0 and self.splits[i].startswith(top) else top
        j = bisect.bisect_right(self.splits, key)
        end_of_top = successor(top)
        end = self.splits[j] if j < len(self.splits) and self.splits[j].startswith(top) else end_of_top
        return Partition(name=start, start=start, end=end)

    def pieces(self, lo: str, hi: str | None) -> Iterator[tuple[Partition, str, str | None]]:
        """``[lo, hi)`` cut at partition boundaries: (partition, piece start, piece end)."""
        at = lo
        while True:
            part = self.partition_of(at)
            if part.end is None:
                end = hi
            elif hi is None:
                end = part.end
            else:
                end = min(hi, part.end)
            yield part, at, end
            if end is None or (hi is not None and end >= hi):
                return
            at = end

    @cached_property
    def _pieces_memo(self) -> dict[str, tuple[Piece, ...]]:
        return {}

    def cell_pieces(self, cell: str) -> tuple[Piece, ...]:
        """``cell``'s keys cut at partition boundaries, as :meth:`pieces` gives them for
        ``[cell, successor(cell))``, with the key points of their bounds; remembered per layout, like
        :meth:`expected` (a search orders and joins hundreds of pieces a page)."""
        memo = self._pieces_memo
        found = memo.get(cell)
        if found is None:
            if len(memo) >= _EXPECTED_MEMO_SIZE:
                memo.clear()
            found = memo[cell] = tuple(
                Piece(part.name, lo, hi, cell, key_point(lo), None if hi is None else key_point(hi))
                for part, lo, hi in self.pieces(cell, successor(cell)))
        return found

    @cached_property
    def _refined(self) -> frozenset[str]:
        """Histogram cells whose children were measured too."""
        return frozenset(cell[:-1] for cell in self.histogram if len(cell) > PARTITION_PRECISION)

    @cached_property
    def _expected_memo(self) -> dict[str, float]:
        return {}

    def expected(self, cell: str) -> float:
        """Entries expected in ``cell`` from the histogram (area-weighted from the finest cell measured).

        Remembered per layout (a cached layout serves many searches, each weighing hundreds of cells)."""
        memo = self._expected_memo
        found = memo.get(cell)
        if found is None:
            if len(memo) >= _EXPECTED_MEMO_SIZE:
                memo.clear()
            found = memo[cell] = self._expected(cell)
        return found

    def _expected(self, cell: str) -> float:
        if not self.histogram:
            return self.default_density * cell_area_km2(cell)
        for length in range(len(cell), 0, -1):
            prefix = cell[:length]
            count = self.histogram.get(prefix)
            if count is not None:
                if length == len(cell):
                    return float(count)
                # Measured at a coarser cell: spread it evenly, unless that cell was refined, in which case
                # a child missing from the histogram was empty.
                if prefix in self._refined:
                    return 0.05 * cell_area_km2(cell) / cell_area_km2(prefix) * max(count, 1)
                return count * cell_area_km2(cell) / cell_area_km2(prefix)
        return 0.05 * self.default_density * cell_area_km2(cell)

    def density_near(self, key: str) -> float:
        """Entries per km2 around ``key``, at the finest cell the histogram measured there."""
        for length in range(min(len(key), KEY_PRECISION), PARTITION_PRECISION - 1, -1):
            count = self.histogram.get(key[:length])
            if count is not None:
                return max(count, 0.5) / cell_area_km2(key[:length])
        return self.default_density


@lru_cache(maxsize=4096)
def _interval_area(lo: str, hi: str | None) -> float:
    return sum(cell_area_km2(cell) for cell in cells_between(lo, hi)) or 1e-9


def interval_area_km2(lo: str, hi: str | None) -> float:
    """Area covered by the keys ``[lo, hi)``."""
    return _interval_area(lo, hi)


def plan_splits(keys: Iterable[str], target: int) -> tuple[str, ...]:
    """Split keys so that no partition holds more than about ``target`` entries.

    ``keys`` are the entries' geohashes. Each 3-character cell with more than ``target`` entries is cut into
    equal runs of keys at the shortest geohash prefix that separates neighbours, so a partition is a
    contiguous Z-order run: dense cities get small partitions, empty country stays in one. Entries at one
    identical geohash are never separated.
    """
    by_top: dict[str, list[str]] = {}
    for key in keys:
        by_top.setdefault(key[:PARTITION_PRECISION], []).append(key[:KEY_PRECISION])
    splits: list[str] = []
    for top, members in sorted(by_top.items()):
        pieces = math.ceil(len(members) / target)
        if pieces <= 1:
            continue
        members.sort()
        step = len(members) / pieces
        last = top
        for p in range(1, pieces):
            i = int(round(p * step))
            while 0 < i < len(members) and members[i] == members[i - 1]:
                i += 1
            if i >= len(members):
                break
            prev, cur = members[i - 1], members[i]
            common = 0
            while common < len(cur) and common < len(prev) and cur[common] == prev[common]:
                common += 1
            split = cur[: max(common + 1, PARTITION_PRECISION + 1)]
            if split > last and split > prev:
                splits.append(split)
                last = split
    return tuple(splits)


def density_histogram(keys: Iterable[str], *, refine_above: int = 256, max_precision: int = 8) -> dict[str, int]:
    """Entries per cell: every non-empty 3-character cell, and the children of any cell holding more than
    ``refine_above`` entries, down to ``max_precision``. A few hundred numbers describe where a city is."""
    histogram: dict[str, int] = {}

    def count(members: list[str], length: int) -> None:
        groups: dict[str, list[str]] = {}
        for key in members:
            groups.setdefault(key[:length], []).append(key)
        for cell, inside in groups.items():
            histogram[cell] = len(inside)
            if len(inside) > refine_above and length < max_precision:
                count(inside, length + 1)

    count([key[:max_precision] for key in keys], PARTITION_PRECISION)
    return histogram


def partition_counts(layout: PartitionLayout, keys: Iterable[str]) -> dict[str, int]:
    """How many of ``keys`` each partition of ``layout`` holds."""
    counts: dict[str, int] = {}
    for key in keys:
        name = layout.partition_of(key).name
        counts[name] = counts.get(name, 0) + 1
    return counts

