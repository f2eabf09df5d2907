"""The geo layout job's decisions and its sweep, without I/O (issue 20 items 1-2): when a plan is worth a
move, which partitions a move must sweep, what readers and writers use in each phase, the throttle, and a
crash at every step of a move resumed by the next run (on the in-memory store; tests/integration/
test_geo_layout_job.py does the same on DynamoDB Local)."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigcore.adapters.dynamo_geo import merge_answers
from gigcore.domain import geo, geo_layout
from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.domain.geo_layout import LayoutState, Throttle
from gigcore.ports.gigs import RangeAnswer
from gigcore.services import geo_layout as job
from gigcore.services.geo_layout import LayoutJobSettings
from tests.fakes import FakeGeoLayoutStore

LAGOS = (6.5244, 3.3792)


def city(n: int, seed: int = 1, spread: float = 0.05) -> list[str]:
    rnd = random.Random(seed)
    return [geo.encode(LAGOS[0] + rnd.gauss(0, spread), LAGOS[1] + rnd.gauss(0, spread)) for _ in range(n)]


geohashes = st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)).map(
    lambda d: geo.encode(LAGOS[0] + d[0], LAGOS[1] + d[1])), min_size=1, max_size=120)


# ---- when to move ------------------------------------------------------------------------------------------


def test_a_partition_over_the_target_starts_a_move_to_the_next_version():
    keys = city(100)
    planned = geo_layout.plan(keys, PartitionLayout(version=3), target=20, threshold=0.25)
    assert planned.move and "100 entries" in planned.reason
    assert planned.layout.version == 4 and planned.layout.splits
    assert planned.largest_now == 100 and planned.largest_planned <= 25
    assert planned.to_move == sum(1 for k in keys if planned.layout.partition_of(k).name != k[:3])


def test_a_layout_within_the_threshold_only_gets_a_new_histogram():
    keys = city(100)
    current = PartitionLayout(splits=geo.plan_splits(keys, 20), version=2)
    grown = keys + city(10, seed=2)  # 10% more: no partition past 20 x 1.25 in this data
    planned = geo_layout.plan(grown, current, target=20, threshold=0.25)
    assert max(geo.partition_counts(current, grown).values()) <= 25
    assert not planned.move and planned.to_move == 0
    assert planned.layout.version == 2 and planned.layout.histogram == geo.density_histogram(grown)


def test_a_layout_with_far_more_split_keys_than_its_data_needs_is_merged():
    keys = city(100)
    current = PartitionLayout(splits=geo.plan_splits(keys, 5), version=1)
    planned = geo_layout.plan(keys[:30], current, target=20, threshold=0.25)
    assert planned.move and "split keys where" in planned.reason
    assert len(planned.layout.splits) < len(current.splits)


def test_planning_refuses_a_target_below_one():
    with pytest.raises(ValueError):
        geo_layout.plan(["s14"], PartitionLayout(), target=0, threshold=0.1)


@settings(max_examples=150, deadline=None)
@given(keys=geohashes, t_old=st.sampled_from([None, 2, 5, 30]), t_new=st.sampled_from([None, 2, 5, 30]))
def test_every_entry_whose_partition_changes_lies_in_a_swept_partition(keys, t_old, t_new):
    old = PartitionLayout(splits=geo.plan_splits(keys[: len(keys) // 2 + 1], t_old) if t_old else ())
    new = PartitionLayout(splits=geo.plan_splits(keys, t_new) if t_new else ())
    swept = set(geo_layout.changed_partitions(old, new))
    for key in keys:
        if old.partition_of(key).name != new.partition_of(key).name:
            assert old.partition_of(key).name in swept


@settings(max_examples=150, deadline=None)
@given(keys=geohashes, t_old=st.sampled_from([2, 5, 30]), t_new=st.sampled_from([2, 5, 30]))
def test_each_partition_readers_plan_with_lies_in_one_old_and_one_new_partition(keys, t_old, t_new):
    old = PartitionLayout(splits=geo.plan_splits(keys[::2], t_old))
    new = PartitionLayout(splits=geo.plan_splits(keys, t_new), version=1)
    state = LayoutState(current=old, target=new, phase="moving", since=0.0)
    both = state.for_reads()
    for a, b in itertools.combinations(sorted(set(keys))[:40], 2):
        if both.partition_of(a).name == both.partition_of(b).name:
            assert old.partition_of(a).name == old.partition_of(b).name
            assert new.partition_of(a).name == new.partition_of(b).name
    for key in keys:
        assert state.partitions_of(key)[0] == old.partition_of(key).name
        assert state.partitions_of(key)[-1] == new.partition_of(key).name


# ---- phases ------------------------------------------------------------------------------------------------


def test_writers_switch_only_after_every_reader_consults_both_layouts():
    old, new = PartitionLayout(), PartitionLayout(splits=("s14m",), version=1)
    stable = LayoutState(current=old)
    reading = geo_layout.begin(stable, new, now=100.0)
    assert (reading.for_writes(), reading.for_reads().splits) == (old, ("s14m",))
    assert not geo_layout.settled(reading, 100.0 + 359, settle=360) and geo_layout.settled(reading, 460.0, 360)
    moving = geo_layout.advance(reading, now=500.0)
    assert (moving.phase, moving.for_writes()) == ("moving", new)
    assert moving.partitions_of("s14mz") == ("s14", "s14m")
    done = geo_layout.advance(moving, now=900.0)
    assert (done.phase, done.current, done.target, done.for_reads()) == ("stable", new, None, new)
    assert [s.revision for s in (stable, reading, moving, done)] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        geo_layout.begin(reading, new, now=1.0)
    with pytest.raises(ValueError):
        geo_layout.advance(done, now=1.0)


def test_a_state_has_a_target_exactly_while_a_move_runs():
    with pytest.raises(ValueError):
        LayoutState(phase="moving")
    with pytest.raises(ValueError):
        LayoutState(target=PartitionLayout())


# ---- reading during a move -----------------------------------------------------------------------------------


def entry(i: int, lat: float) -> GeoEntry:
    return GeoEntry(id=f"E{i}", lat=lat, lng=LAGOS[1])


def test_answers_of_both_partitions_merge_into_each_entry_once_up_to_the_earliest_stop():
    a, b, c, d = (entry(i, LAGOS[0] + i * 1e-3) for i in range(4))
    moved_late = GeoEntry(id="E1", lat=b.lat, lng=b.lng)
    old = RangeAnswer(entries=(a, b, c), stopped_at=c.key[:12], scanned=3, calls=1, capacity=0.5)
    new = RangeAnswer(entries=(moved_late, d), scanned=2, calls=1, capacity=0.5)
    merged = merge_answers([old, new])
    assert [e.id for e in merged.entries] == ["E0", "E1", "E2"]  # d lies beyond where the old read stopped
    assert merged.stopped_at == c.key[:12]
    assert (merged.scanned, merged.calls, merged.capacity) == (5, 2, 1.0)


# ---- the throttle --------------------------------------------------------------------------------------------


def test_the_throttle_holds_the_average_rate_to_its_setting():
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    throttle = Throttle(50.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(1000):
        throttle.spend(6.0)
    # 6,000 units at 50 a second, the first second's worth free: at least 119 s
    assert now[0] >= (6000 - 50) / 50 - 1e-9
    assert now[0] <= 6000 / 50


def test_a_move_costs_a_transaction_of_three_items_and_the_owners_index_copies_per_entry():
    assert geo_layout.move_cost_wcu(1) == 16.0  # what DynamoDB Local reports for a gig's (bench/geo)
    assert geo_layout.move_cost_wcu(1, owner_indexes=0) == 8.0
    assert geo_layout.move_cost_wcu(1000) == 16_000.0


# ---- the sweep, with a crash at every step ---------------------------------------------------------------------


SETTINGS = LayoutJobSettings(target=5, threshold=0.0, settle_seconds=0.0, wcu_per_second=1e9,
                             rcu_per_second=1e9, measure_every_seconds=0.0, page=3)


class Crash(Exception):
    pass


class Dying:
    """The store, dying at its ``at``-th call, before or after it took effect."""

    def __init__(self, inner: FakeGeoLayoutStore, at: int | None, after: bool) -> None:
        self.inner, self.at, self.after, self.calls = inner, at, after, 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        target = getattr(self.inner, name)

        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls == self.at and not self.after:
                raise Crash(name)
            result = target(*args, **kwargs)
            if self.calls == self.at:
                raise Crash(name)
            return result

        return call


def crowded() -> tuple[FakeGeoLayoutStore, dict[str, str]]:
    store = FakeGeoLayoutStore()
    keys = {f"G{i:03d}": key for i, key in enumerate(city(23, seed=7))}
    for entry_id, key in keys.items():
        store.put("gig", entry_id, key)
    return store, keys


def step(store: object) -> job.RunReport:
    return job.run("gig", store=store, settings=SETTINGS, now=lambda: 1000.0, clock=lambda: 0.0,  # type: ignore[arg-type]
                   sleep=lambda _: None)


def assert_moved(store: FakeGeoLayoutStore, keys: dict[str, str]) -> None:
    state = store.state("gig")
    assert state.phase == "stable" and state.current.splits
    found = sorted(sk for items in store.items.values() for sk in items)
    assert found == sorted(f"{k}#{i}" for i, k in keys.items())  # each entry once
    for pk, items in store.items.items():
        for sk in items:
            assert pk == f"GEO#gig#{state.current.partition_of(sk).name}"
            assert store.owners[sk.split("#", 1)[1]] == pk
    assert store.progress("gig") is None


def test_a_crash_at_any_step_of_a_move_is_resumed_by_the_next_run():
    clean, keys = crowded()
    counting = Dying(clean, None, False)
    while step(counting).action != "done":
        pass
    step(counting)
    assert_moved(clean, keys)
    for at, after in itertools.product(range(1, counting.calls + 1), (False, True)):
        store, keys = crowded()
        dying = Dying(store, at, after)
        with pytest.raises(Crash):
            for _ in range(50):
                step(dying)
        for _ in range(50):
            if step(store).action in ("unchanged", "histogram"):
                break
        assert_moved(store, keys)


def test_a_gig_written_during_the_move_lands_under_the_new_layout_and_is_not_moved_twice():
    store, keys = crowded()
    assert step(store).action == "started"
    assert step(store).action == "writers-switched"
    moving = store.state("gig")
    store.put("gig", "G999", keys["G000"])  # a new gig at the spot of another
    keys["G999"] = keys["G000"]
    assert store.owners["G999"] == f"GEO#gig#{moving.target.partition_of(keys['G000']).name}"
    report = step(store)
    assert report.action == "done" and report.moved == sum(
        1 for i, k in keys.items() if i != "G999" and moving.current.partition_of(k).name
        != moving.target.partition_of(k).name)
    assert_moved(store, keys)


def test_a_second_run_while_one_holds_the_move_stops_without_writing():
    store, _ = crowded()
    step(store)
    seen = store.state("gig")  # what a concurrent run read ...
    store.store("gig", geo_layout.advance(seen, 1.0), expected_revision=seen.revision)  # ... before this write

    class Racing(FakeGeoLayoutStore):
        def state(self, index: str) -> LayoutState:
            return seen

    racing = Racing()
    racing.__dict__.update(store.__dict__)
    assert step(racing).action == "busy"
    assert store.state("gig").phase == "moving" and store.progress("gig") is None


def test_no_code_outside_tests_writes_a_layout_but_the_job():
    """Issue 20: the layout item is written by DynamoGeoLayouts.store, which only the job's store calls."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = []
    for folder in ("layers", "functions", "bench", "infra"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            if re.search(r"layouts\.(store|put)\(|(?<!class )(GeoLayoutItem|GeoMoveItem)\(", text):
                writers.append(path.relative_to(root).as_posix())
    assert writers == ["layers/gigcore/gigcore/adapters/dynamo_geo.py"]
    adapter = (root / writers[0]).read_text()
    assert re.findall(r"layouts\.(?:store|put)\(", adapter) == ["layouts.store("]  # in DynamoGeoLayoutStore
