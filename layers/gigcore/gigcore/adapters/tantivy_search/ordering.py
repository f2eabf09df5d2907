"""Ordering rows by (value, then id ascending): the cursor, the radius and the first rows of a page.

tantivy orders hits by value only; equal values are put in id order here, from the id keys read column-wise
(:func:`~.rows.id_keys_of`); stored ids are read only for the page itself and for rows whose keys are equal.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence

import tantivy

from gigcore.adapters.tantivy_search.id_keys import id_key, id_key_halves
from gigcore.adapters.tantivy_search.rows import (
    Cursor,
    Hits,
    Row,
    Rows,
    distances_of,
    hits_as_rows,
    id_keys_of,
    stored_id,
)
from gigcore.ports.search import GeoPoint


def candidates(searcher: tantivy.Searcher, hits: Hits, point: GeoPoint | None, radius_km: float | None,
               cursor: Cursor | None, need: int, value: float | None = None) -> Rows:
    """Hits (value descending) as rows, less those up to the cursor and those outside the radius."""
    rows = hits_as_rows(hits, True, value)
    if cursor is not None:
        rows = after_cursor(searcher, rows, cursor, descending=True)
    if point is not None and radius_km is not None:
        rows = within_radius(searcher, rows, point, radius_km, need)
    return rows


def after_cursor(searcher: tantivy.Searcher, rows: Rows, cursor: Cursor, descending: bool) -> Rows:
    """The rows that come after ``cursor`` in (value, then id ascending) order."""
    value, last_id = cursor
    at = -value if descending else value
    same_from, later_from = bisect.bisect_left(rows.order, at), bisect.bisect_right(rows.order, at)
    if same_from == later_from:
        return rows.part(later_from, len(rows))
    same = rows.part(same_from, later_from)
    his, los = id_keys_of(searcher, same.addresses)
    last = id_key_halves(id_key(last_id))
    kept = [i for i, (hi, lo) in enumerate(zip(his, los, strict=True))
            if (hi, lo) > last or ((hi, lo) == last and stored_id(searcher, same.addresses[i]) > last_id)]
    return same.pick(kept).join(rows.part(later_from, len(rows)))


def first_rows(searcher: tantivy.Searcher, rows: Rows, need: int) -> list[Row]:
    """The first ``need`` rows by value, then id ascending."""
    if not rows.addresses:
        return []
    end = len(rows)
    if end > need:  # only the rows up to the page's edge value (all of that value) are ordered by id
        end = bisect.bisect_right(rows.order, rows.order[need - 1])
    order = rows.order[:end]
    his, los = id_keys_of(searcher, rows.addresses[:end])
    chosen = heapq.nsmallest(need, zip(order, his, los, range(end), strict=True))
    ids: dict[int, str] = {}
    last = chosen[-1][:3]
    shared = len({c[:3] for c in chosen}) < len(chosen)
    if not shared and end > len(chosen) and los.count(last[2]) > 1:  # the cheap test first
        shared = (sum(1 for t in zip(order, his, los, strict=True) if t == last)
                  > sum(1 for c in chosen if c[:3] == last))
    if shared:
        # Equal keys (ids that are not ULIDs): the stored ids decide among the rows up to the edge.
        upto = [t for t in zip(order, his, los, range(end), strict=True) if t[:3] <= last]
        ids = {t[3]: stored_id(searcher, rows.addresses[t[3]]) for t in upto}
        chosen = sorted(upto, key=lambda t: (t[:3], ids[t[3]]))[:need]
    return [Row(value=rows.values[i], distance=None if rows.distances is None else rows.distances[i],
                id=ids[i] if i in ids else stored_id(searcher, rows.addresses[i]))
            for i in (t[3] for t in chosen)]


def within_radius(searcher: tantivy.Searcher, rows: Rows, point: GeoPoint, radius_km: float, need: int) -> Rows:
    """The rows inside the radius (not in the box's corners), with their distances, as far as the page can
    reach: every row up to the ``need``-th inside, and of the rows of that one's value (the page's edge),
    those with the lowest ids: equal values go by id, so the others cannot be on the page."""
    kept: list[int] = []
    distances: list[float] = []
    start, chunk = 0, max(need, 64)
    while start < len(rows):
        if rows.order[start] == rows.order[-1] and len(rows) - start > chunk:
            _within_by_id(searcher, rows, start, point, radius_km, need, kept, distances)
            break
        end = min(len(rows), start + chunk)
        _keep_within(searcher, rows, range(start, end), point, radius_km, kept, distances)
        if len(kept) >= need and (end == len(rows) or rows.order[end] != rows.order[kept[need - 1]]):
            break  # the rows not looked at come after the page's edge value
        start, chunk = end, chunk * 2
    within = rows.pick(kept)
    within.distances = distances
    return within


def _keep_within(searcher: tantivy.Searcher, rows: Rows, indices: Sequence[int], point: GeoPoint,
                 radius_km: float, kept: list[int], distances: list[float]) -> None:
    found = distances_of(searcher, [rows.addresses[i] for i in indices], point)
    for i, d in zip(indices, found, strict=True):
        if d <= radius_km:
            kept.append(i)
            distances.append(d)


def _within_by_id(searcher: tantivy.Searcher, rows: Rows, start: int, point: GeoPoint, radius_km: float,
                  need: int, kept: list[int], distances: list[float]) -> None:
    """Rows from ``start`` on all have one value: the ones inside the radius, in id order, until no
    further one can be on the page (the rows kept before ``start`` are inside and come first or tie)."""
    value = rows.order[start]
    before = sum(1 for i in kept if rows.order[i] < value)
    if before >= need:
        return
    same = [i for i in kept if rows.order[i] == value]
    his, los = id_keys_of(searcher, rows.addresses[start:])
    by_id = sorted(zip(his, los, range(start, len(rows)), strict=True))
    same_keys: list[tuple[int, int]] = []
    if same:
        same_his, same_los = id_keys_of(searcher, [rows.addresses[i] for i in same])
        same_keys = list(zip(same_his, same_los, strict=True))
    step = max(need, 64)
    for at in range(0, len(by_id), step):
        if len(same_keys) >= need - before:
            last = heapq.nsmallest(need - before, same_keys)[-1]
            if by_id[at][:2] > last:
                return
        part = by_id[at:at + step]
        inside = len(kept)
        _keep_within(searcher, rows, [t[2] for t in part], point, radius_km, kept, distances)
        keys_of = {t[2]: t[:2] for t in part}
        same_keys += [keys_of[i] for i in kept[inside:]]
