"""Nearest-first search over a geo index: pages sorted by exact haversine distance.

How a page is found (docs/geo.md has the figures):

1. The *frontier* is a set of geohash cells that together cover what is still unread of the disc. A new
   search starts from the 3-character cells the disc touches; a cursor brings the frontier of the page before.
2. Each round picks a *horizon*: the distance within which ``limit`` matches are expected, from the density
   the layout measured (first round) or the density read so far (later rounds). Every frontier cell nearer
   than the horizon is read; where that saves the most expected reads, a cell is narrowed to the run of its
   32 children from the first to the last that the horizon reaches (still one key range), and children
   outside the horizon are then dropped back into the frontier, as long as the round stays within its
   budget of range Queries (neighbouring cells of one partition merge into one Query), and as long as each
   Query a refinement adds saves at least ``QUERY_COST`` expected reads (a Query costs the handler far more
   CPU than an item). All of a round's Queries run in parallel. With no measured density at all (no layout
   stored), the first round instead reads the disc's key ranges, one Query per partition, each stopped after
   a few items per result needed: sparse data is read whole at once, dense data gives its density.
3. Stop rule: an entry is final once it is nearer than every unread cell's minimum distance. The page is
   complete when ``limit`` entries are final.
4. The cursor carries the last (distance, id) returned and the frontier: the unread cells plus the read cells
   that may still hold something farther than that (their entries, or gigs added since). So page 2 goes on
   exactly after page 1: no duplicates, no gaps, and gigs added in between appear if they come later.
"""

from __future__ import annotations

import bisect
import heapq
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gigcore.domain import geo
from gigcore.domain.errors import ErrorDetail, MalformedRequestError
from gigcore.domain.geo import PartitionLayout, Piece
from gigcore.ports.gigs import GeoEntry, GeoIndex, RangeQuery

#: Expected matches a round aims for, as a multiple of what the page still needs. The first round's is the
#: lowest that keeps a first page to one round nearly always (bench/geo at 20,000 gigs: 2.0 read 108 items at
#: p50 at 50 km, 1.8 reads 95; rounds stay 1 at p95 but at 5 and 10 km, where they are 2; docs/geo.md).
FIRST_ROUND_MARGIN = 1.8
LATER_ROUND_MARGIN = 3.0
#: Range Queries per round (the page goal is 2 rounds and 12 Queries) and for a full-radius read.
ROUND_BUDGET = 10
LATER_ROUND_BUDGET = 8
FULL_READ_BUDGET = 16
#: A cell is not split to save fewer expected reads than this.
MIN_SAVING = 2.0
#: A range Query stops after this many items (or 4x what it was expected to read), to bound a bad guess.
MIN_QUERY_LIMIT = 64
#: What one more range Query costs, in items read: a refinement that adds Queries must save this many
#: expected reads per Query it adds. A Query costs the handler far more CPU than an item (bench/api: 0.6-0.8 ms
#: against ~5 us); 12, with the first round's margin of 1.8, keeps a first page within bench/geo's goal of 100
#: items read at p50 at every radius while taking 2-3 Queries at p50 (docs/geo.md); 10 took ~10% more Queries.
QUERY_COST = 12.0
#: With no measured density (no layout stored yet), the first round reads the disc's key ranges, one Query
#: per partition, each stopped after this many items per item the page needs: sparse data is read whole in
#: one round; dense data stops early, and what was read gives the density the next rounds plan with.
PROBE_ITEMS_PER_RESULT = 5


@dataclass(frozen=True)
class GeoFilter:
    """What an entry must match. Budget/rate bounds keep entries whose range overlaps ``[amount_min, amount_max]``."""

    category: str | None = None
    skills_any: frozenset[str] = frozenset()
    skills_all: frozenset[str] = frozenset()
    amount_min: int | None = None
    amount_max: int | None = None
    currency: str | None = None
    availability: str | None = None
    #: Epoch seconds: entries whose ``until`` (a gig's deadline) is not after it are past and left out, so they
    #: take no place on a page before the table's time to live deletes them.
    alive_at: int | None = None

    def matches(self, entry: GeoEntry) -> bool:
        if self.alive_at is not None and entry.until is not None and entry.until <= self.alive_at:
            return False
        if self.category is not None and entry.category != self.category:
            return False
        if self.skills_any and not (self.skills_any & entry.skills):
            return False
        if self.skills_all and not (self.skills_all <= entry.skills):
            return False
        if self.currency is not None and entry.currency != self.currency:
            return False
        if self.amount_min is not None and (entry.amount_max is None or entry.amount_max < self.amount_min):
            return False
        if self.amount_max is not None and (entry.amount_min is None or entry.amount_min > self.amount_max):
            return False
        return self.availability is None or entry.availability == self.availability

    @property
    def fields(self) -> frozenset[str]:
        """The entry fields :meth:`matches` looks at (what a search asks the index for)."""
        wanted = {name for name, on in (("category", self.category is not None),
                                        ("skills", bool(self.skills_any or self.skills_all)),
                                        ("currency", self.currency is not None),
                                        ("availability", self.availability is not None)) if on}
        if self.amount_min is not None or self.amount_max is not None:
            wanted |= {"amount_min", "amount_max"}
        if self.alive_at is not None:
            wanted.add("until")
        return frozenset(wanted)


@dataclass(frozen=True)
class NearbyQuery:
    lat: float
    lng: float
    radius_km: float
    filters: GeoFilter = field(default_factory=GeoFilter)
    limit: int = 20


@dataclass(frozen=True)
class Hit:
    entry: GeoEntry
    distance_km: float

    @property
    def order(self) -> tuple[float, str]:
        return self.distance_km, self.entry.id


@dataclass
class SearchStats:
    """What a search cost: rounds of parallel Queries, Query calls, items read, read capacity units."""

    rounds: int = 0
    calls: int = 0
    scanned: int = 0
    capacity: float = 0.0


@dataclass(frozen=True)
class NearbyPage:
    hits: list[Hit]
    #: The position to put in the next cursor; None when there is nothing more.
    next_position: dict[str, Any] | None
    stats: SearchStats


def distance_order(query: NearbyQuery, entries: Sequence[GeoEntry]) -> list[Hit]:
    """Brute force: every matching entry within the radius, nearest first (ties by id). The reference."""
    point = geo.DistancesFrom(query.lat, query.lng)
    hits = [Hit(e, point.to(e.lat, e.lng)) for e in entries if query.filters.matches(e)]
    return sorted((h for h in hits if h.distance_km <= query.radius_km), key=lambda h: h.order)


def _invalid_cursor() -> MalformedRequestError:
    return MalformedRequestError("The cursor is invalid or belongs to another query.",
                                 details=[ErrorDetail(field="cursor", issue="invalid")])


def _decode_position(position: Mapping[str, Any]) -> tuple[tuple[float, str], list[str]]:
    try:
        after = (float(position["d"]), str(position["id"]))
        cells = geo.expand_cells([str(group) for group in position["f"]])
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid_cursor() from exc
    if not math.isfinite(after[0]) or any(len(c) < geo.PARTITION_PRECISION for c in cells):
        raise _invalid_cursor()
    return after, cells


class _Search:
    def __init__(self, index: GeoIndex, query: NearbyQuery, after: tuple[float, str] | None,
                 cells: Sequence[str] | None, fields: frozenset[str] | None) -> None:
        self.index = index
        self.q = query
        self.point = geo.DistancesFrom(query.lat, query.lng)
        self.fields = fields
        self.layout: PartitionLayout = index.layout()
        self.after = after
        self.stats = SearchStats()
        self.frontier: dict[str, float] = {}
        self._distances: dict[str, float] = {}
        start = cells if cells is not None else geo.cover(query.lat, query.lng, query.radius_km,
                                                          geo.PARTITION_PRECISION)
        for cell in start:
            self._offer(cell)
        self.read_cells: list[str] = []
        #: What was read and may still be returned: (distance, id, entry) by id, sorting as hits do.
        self.buffer: dict[str, tuple[float, str, GeoEntry]] = {}
        self.read_area = 0.0
        self.read_items = 0
        self.matched = 0
        self.prior_density = self.layout.density_near(geo.encode(query.lat, query.lng))
        #: Observed density over the layout's prior, near the point (1 until something is read).
        self.scale = 1.0
        self.unlimited: set[str] = set()
        #: Doubles after each round in which a limit stopped a Query: the expectations were too low.
        self.boost = 1.0
        #: The filters' check, or None when there is nothing to check (most searches).
        self._matches = query.filters.matches if query.filters.fields else None

    # -- cells ---------------------------------------------------------------------------------------------

    def _mindist(self, cell: str) -> float:
        d = self._distances.get(cell)
        if d is None:
            d = self._distances[cell] = self.point.min_to(geo.bounds(cell))
        return d

    def _children(self, cell: str) -> list[tuple[str, float]]:
        """``cell``'s 32 children with their minimum distances (worked out together: they share their edges)."""
        pairs = list(zip(geo.children(cell), self.point.min_to_children(cell), strict=True))
        self._distances.update(pairs)
        return pairs

    def _offer(self, cell: str, mindist: float | None = None) -> None:
        """Put ``cell`` in the frontier if any of it lies within the radius."""
        d = self._mindist(cell) if mindist is None else mindist
        if d <= self.q.radius_km:
            self.frontier[cell] = d

    def _expected(self, cell: str) -> float:
        """Entries expected in ``cell``: the layout's histogram, scaled by what this search has seen."""
        return self.scale * self.layout.expected(cell)

    def _ranges(self, cells: Sequence[str]) -> list[tuple[str, str, str | None, list[tuple[str, str | None]]]]:
        """Cells as key ranges: (partition, lo, hi, [(cell, end of its piece)]), neighbours in one partition merged."""
        cut = self.layout.cell_pieces
        merged: list[tuple[str, str, str | None, list[tuple[str, str | None]]]] = []
        end: str | None = None
        for piece in sorted((p for cell in cells for p in cut(cell)), key=_START):
            if end is not None and end == piece.start and merged[-1][0] == piece.partition:
                name, lo, _, members = merged[-1]
                members.append((piece.cell, piece.hi))
                merged[-1] = (name, lo, piece.hi, members)
            else:
                merged.append((piece.partition, piece.lo, piece.hi, [(piece.cell, piece.hi)]))
            end = piece.end
        return merged

    def _plan(self, horizon: float, budget: int, *, min_saving: float, query_cost: float = 0.0) -> list[str]:
        """Take every frontier cell nearer than ``horizon``, refined where it saves the most reads (at least
        ``query_cost`` expected reads for each Query a refinement adds)."""
        frontier = self.frontier
        chosen = {c for c, d in frontier.items() if d < horizon}
        if not chosen and frontier:
            nearest = min(frontier.values())
            chosen = {c for c, d in frontier.items() if d <= nearest}
        for cell in chosen:
            del frontier[cell]
        # The chosen cells' pieces in key order; refining a cell only changes how it joins its neighbours.
        cut = self.layout.cell_pieces
        order = sorted((p for cell in chosen for p in cut(cell)), key=_START)
        starts = [p.start for p in order]
        ranges = _groups(order)
        heap: list[tuple[float, str, list[tuple[str, float]], int, int]] = []
        expected, scale, radius = self.layout.expected, self.scale, self.q.radius_km

        def consider(cell: str) -> None:
            """Queue the best change to ``cell``: drop it when none of it is nearer than the horizon, else
            narrow it to the run of its children from the first to the last that is (one key range, so free
            unless it parts from a neighbour), after which the children outside the horizon may be dropped."""
            whole = scale * expected(cell)
            if whole < min_saving:
                return
            if self._mindist(cell) >= horizon:
                heapq.heappush(heap, (-whole, cell, [], 0, 0))
                return
            if len(cell) >= geo.KEY_PRECISION:
                return
            kids = self._children(cell)
            inside = [i for i, (_, d) in enumerate(kids) if d < horizon]
            potential = whole - sum(scale * expected(kids[i][0]) for i in inside)
            if inside and (potential >= min_saving or len(inside) < len(kids)):
                # Children holding all that matters (one, or a few across a border the point is near) save
                # nothing yet, but their own children may: narrowing to their run costs no Query.
                heapq.heappush(heap, (-max(potential, min_saving), cell, kids, inside[0], inside[-1] + 1))

        for cell in chosen:
            consider(cell)
        while heap:
            saving, cell, kids, first, end = heapq.heappop(heap)
            keep = kids[first:end]
            mine = cut(cell)
            at = bisect.bisect_left(starts, mine[0].start)
            stop = at + len(mine)
            before = order[at - 1: at] if at > 0 else []
            after = order[stop: stop + 1]
            replacement = [p for kid, _ in keep for p in cut(kid)]
            trial = ranges - _groups(before + list(mine) + after) + _groups(before + replacement + after)
            if trial > max(budget, ranges) or (trial > ranges and -saving < query_cost * (trial - ranges)):
                continue
            ranges = trial
            order[at: stop] = replacement
            starts[at: stop] = [p.start for p in replacement]
            chosen.discard(cell)
            chosen.update(kid for kid, _ in keep)
            if not kids:
                self._offer(cell)  # dropped: left for a later round (or a later page)
            for kid, d in kids[:first] + kids[end:]:
                if d <= radius:  # as _offer
                    frontier[kid] = d
            for kid, _ in keep:
                consider(kid)
        return sorted(chosen)

    # -- reading -------------------------------------------------------------------------------------------

    def _read(self, cells: Sequence[str], *, limited: bool, probe: int | None = None) -> None:
        """Read ``cells``; each Query stops after 4x what it should find (``limited``), or after ``probe`` items."""
        ranges = self._ranges(cells)
        queries = []
        for name, lo, hi, members in ranges:
            limit = None
            if limited and not any(cell in self.unlimited for cell, _ in members):
                expected = sum(self._expected(cell) for cell, _ in members)
                limit = probe if probe is not None else max(MIN_QUERY_LIMIT, int(4 * self.boost * expected))
            queries.append(RangeQuery(partition=name, lo=lo, hi=hi, limit=limit, fields=self.fields))
        answers = self.index.read(queries)
        self.stats.rounds += 1
        stopped: dict[str, str] = {}  # cell -> the geohash where a limit stopped the read of (a piece of) it
        for (_, _, _, members), answer in zip(ranges, answers, strict=True):
            self.stats.calls += answer.calls
            self.stats.scanned += answer.scanned
            self.stats.capacity += answer.capacity
            self.read_items += len(answer.entries)
            self._take(answer.entries)
            if answer.stopped_at is not None:
                for cell, piece_end in members:
                    if piece_end is None or not geo.key_at_or_before(piece_end, answer.stopped_at):
                        stopped[cell] = min(stopped.get(cell, answer.stopped_at), answer.stopped_at)
        if stopped:
            self.boost = min(self.boost * 2, 64.0)
        for cell in cells:
            at = stopped.get(cell)
            if at is None:
                self.read_cells.append(cell)
                self.read_area += geo.cell_area_km2(cell)
            elif not at.startswith(cell):
                self._offer(cell)  # not reached at all
            elif len(cell) >= geo.KEY_PRECISION:
                self.unlimited.add(cell)  # more entries at one spot than a limit: read it whole next time
                self._offer(cell)
            else:
                for kid in geo.children(cell):
                    end = geo.successor(kid)
                    if end is not None and geo.key_at_or_before(end, at):
                        self.read_cells.append(kid)
                        self.read_area += geo.cell_area_km2(kid)
                    else:
                        self._offer(kid)
        if self.read_area > 0 and self.prior_density > 0:
            observed = (self.read_items + 1) / (self.read_area + 1 / self.prior_density)
            self.scale = observed / self.prior_density

    def _take(self, entries: Sequence[GeoEntry]) -> None:
        """Keep the entries read that match, lie within the radius and come after the cursor's position."""
        matches, to, radius, after, buffer = self._matches, self.point.to, self.q.radius_km, self.after, self.buffer
        matched = 0
        for entry in entries:
            if matches is not None and not matches(entry):
                continue
            matched += 1
            d = to(entry.lat, entry.lng)
            if d > radius or (after is not None and (d, entry.id) <= after):
                continue
            buffer[entry.id] = (d, entry.id, entry)
        self.matched += matched

    def _final(self) -> list[tuple[float, str, GeoEntry]]:
        """What was read that no unread cell can come before, in page order (ids are unique: entries never compare)."""
        bound = min(self.frontier.values(), default=math.inf)
        return sorted(kept for kept in self.buffer.values() if kept[0] < bound)

    def _final_count(self) -> int:
        bound = min(self.frontier.values(), default=math.inf)
        return sum(1 for kept in self.buffer.values() if kept[0] < bound)

    def _horizon(self, round_no: int, previous: float) -> float:
        done = self.after[0] if self.after else 0.0
        need = self.q.limit
        if round_no == 0:
            density = self.prior_density
            margin = FIRST_ROUND_MARGIN
            selectivity = 1.0
        else:
            density = (self.read_items + 1) / (self.read_area + 1 / max(self.prior_density, 1e-9))
            selectivity = (self.matched + 1) / (self.read_items + 1)
            margin = LATER_ROUND_MARGIN
        wanted = math.sqrt(done**2 + margin * need / (math.pi * max(density * selectivity, 1e-12)))
        if round_no >= 1:
            wanted = max(wanted, previous * (1.5 if round_no == 1 else 2.0))
        return min(wanted, self.q.radius_km * (1 + 1e-12) + 1e-9)

    # -- the two uses --------------------------------------------------------------------------------------

    def page(self) -> NearbyPage:
        horizon = 0.0
        round_no = 0
        if not self.layout.histogram and self.frontier:
            # Nothing measured: no density to aim a horizon with. Read the disc, one key range per partition
            # (narrowing a range is free; no refinement adds a Query), each stopped early on dense data.
            cells = self._plan(self.q.radius_km * (1 + 1e-12) + 1e-9, 0, min_saving=MIN_SAVING)
            self._read(cells, limited=True, probe=max(MIN_QUERY_LIMIT, PROBE_ITEMS_PER_RESULT * self.q.limit))
            round_no = 1  # the next horizon comes from the density read, not from the probe's
        while self.frontier and self._final_count() < self.q.limit:
            horizon = self._horizon(round_no, horizon)
            budget = ROUND_BUDGET if round_no < 2 else LATER_ROUND_BUDGET
            cells = self._plan(horizon, budget, min_saving=MIN_SAVING, query_cost=QUERY_COST)
            self._read(cells, limited=True)
            round_no += 1
        final = self._final()
        hits = [Hit(entry, d) for d, _, entry in final[: self.q.limit]]
        if len(hits) < self.q.limit or not hits:
            return NearbyPage(hits=hits, next_position=None, stats=self.stats)
        last = hits[-1]
        keep = dict(self.frontier)
        for cell in self.read_cells:
            if self.point.max_to(geo.bounds(cell)) >= last.distance_km:
                keep[cell] = self._mindist(cell)
        more = len(final) > self.q.limit or len(self.buffer) > len(hits) or bool(self.frontier)
        if not keep or not more:
            return NearbyPage(hits=hits, next_position=None, stats=self.stats)
        position = {"d": last.distance_km, "id": last.entry.id, "f": geo.compact_cells(sorted(keep))}
        return NearbyPage(hits=hits, next_position=position, stats=self.stats)

    def everything(self) -> tuple[list[Hit], SearchStats]:
        cells = self._plan(self.q.radius_km * (1 + 1e-12) + 1e-9, FULL_READ_BUDGET, min_saving=1.0)
        self._read(cells, limited=False)
        return [Hit(entry, d) for d, _, entry in sorted(self.buffer.values())], self.stats


def _groups(pieces: Sequence[Piece]) -> int:
    """How many Queries these consecutive pieces take (neighbours of one partition merge)."""
    count = 0
    name = end = None
    for piece in pieces:
        if end is None or end != piece.start or name != piece.partition:
            count += 1
        name, end = piece.partition, piece.end
    return count


#: A piece's place in the key order.
_START = operator.attrgetter("start")


def nearest(index: GeoIndex, query: NearbyQuery, position: Mapping[str, Any] | None = None) -> NearbyPage:
    """One page of the entries within ``query.radius_km``, nearest first (ties by id), continuing after
    ``position`` (from the previous page's ``next_position``). Reads are eventually consistent.

    Raises :class:`MalformedRequestError` for a position that is not one this function made.
    """
    fields = query.filters.fields
    if position is None:
        return _Search(index, query, None, None, fields).page()
    after, cells = _decode_position(position)
    return _Search(index, query, after, cells, fields).page()


def within(index: GeoIndex, query: NearbyQuery) -> tuple[list[Hit], SearchStats]:
    """Every entry within the radius, nearest first, read in one round of at most ~16 range Queries."""
    return _Search(index, query, None, None, None).everything()
