"""The geo layout job on DynamoDB Local (issue 20 items 1-2): gigs written through the gig repository, the
job measuring, planning and moving their index entries online, searches running in between.

Each example uses a geo index of its own (``DynamoGigReader(..., index=name)`` under a unit of work) so examples
never meet;
layouts are not cached (``ttl_seconds=0``), so no phase needs to settle (``settle_seconds=0``).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigcore.domain import geo
from gigcore.domain.gigs import Budget, Gig, geo_entry
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.services import geo_layout, nearby
from gigcore.services.geo_layout import LayoutJobSettings
from gigcore.services.nearby import NearbyQuery

pytestmark = pytest.mark.integration

LAGOS = (6.5244, 3.3792)
JOB = LayoutJobSettings(target=4, threshold=0.0, settle_seconds=0.0, wcu_per_second=1e9, rcu_per_second=1e9,
                        measure_every_seconds=0.0, page=3)
WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def dynamo(stack_env):
    from gigcore import bootstrap

    container = bootstrap.container()
    _ = container.pynamodb  # binds the models to the local table
    return container


class World:
    """One index of its own: the gigs written to it (the brute-force truth), its repository, reader and job."""

    def __init__(self, dynamo: Any) -> None:
        from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts, DynamoGeoLayoutStore
        from gigcore.adapters.dynamo_gigs import DynamoGigReader
        from gigcore.adapters.dynamo_unit_of_work import unit_of_work_factory

        self.name = "j" + uuid.uuid4().hex[:10]
        layouts = DynamoGeoLayouts(ttl_seconds=0)
        table = dynamo.settings.table_name
        self.units = unit_of_work_factory(dynamo.dynamodb, table,
                                          DynamoGigReader(dynamo.dynamodb, table, layouts, index=self.name))
        self.index = DynamoGeoIndex(dynamo.dynamodb, dynamo.settings.table_name, self.name, layouts)
        self.store = DynamoGeoLayoutStore(dynamo.dynamodb, dynamo.settings.table_name, layouts)
        self.client = dynamo.dynamodb
        self.table = dynamo.settings.table_name
        self.open: dict[str, Gig] = {}
        self.ids = itertools.count()

    def post(self, lat: float, lng: float) -> None:
        gig = Gig(id=f"01JL{uuid.uuid4().hex[:22].upper()}", owner_id="01JOWNER", title="Fix a tap",
                  description="", category="plumbing", skills=("pipes",),
                  budget=Budget(min=Money(amount=1000, currency="NGN"), max=Money(amount=2000, currency="NGN"),
                                type="fixed"),
                  location=Location(lat, lng), remote=False, urgency="normal", deadline=None, status="open",
                  created_at=WHEN, updated_at=WHEN)
        unit = self.units()
        self.open[gig.id] = unit.gigs.add(gig)
        unit.commit()

    def pick(self, n: int) -> Gig | None:
        return self.open[sorted(self.open)[n % len(self.open)]] if self.open else None

    def move(self, n: int, lat: float, lng: float) -> None:
        if (gig := self.pick(n)) is not None:
            unit = self.units()
            stored = unit.gigs.get(gig.id)  # as the service does: read, change, save
            assert stored is not None
            self.open[gig.id] = unit.gigs.save(stored.changed(location=Location(lat, lng)), expected_status="open")
            unit.commit()

    def close(self, n: int) -> None:
        if (gig := self.pick(n)) is not None:
            unit = self.units()
            stored = unit.gigs.get(gig.id)
            assert stored is not None
            unit.gigs.save(stored.changed(status="cancelled"), expected_status="open")
            unit.commit()
            del self.open[gig.id]

    def job(self, budget: int, store: Any = None) -> geo_layout.RunReport:
        ticks = itertools.count()  # a clock that moves one second per look: the budget counts pages
        return geo_layout.run(self.name, store=store or self.store, settings=replace(JOB, budget_seconds=budget),
                              clock=lambda: float(next(ticks)), sleep=lambda _: None)

    def settle(self) -> list[geo_layout.RunReport]:
        """Run the job until it has nothing left to do."""
        reports = []
        for _ in range(60):
            reports.append(self.job(1000))
            if reports[-1].action in ("unchanged", "histogram"):
                return reports
        raise AssertionError(f"the job did not finish: {reports[-3:]}")

    def expected(self, query: NearbyQuery) -> list[str]:
        entries = [e for e in map(geo_entry, self.open.values()) if e is not None]
        return [hit.entry.id for hit in nearby.distance_order(query, entries)]

    def pages(self, query: NearbyQuery, between: Callable[[], None] = lambda: None) -> list[str]:
        seen: list[str] = []
        position = None
        for _ in range(1000):
            page = nearby.nearest(self.index, query, position)
            assert len(page.hits) <= query.limit
            seen += [hit.entry.id for hit in page.hits]
            if page.next_position is None:
                return seen
            position = page.next_position
            between()
        raise AssertionError("paging did not end")

    def stored_entries(self) -> dict[str, list[tuple[str, str]]]:
        """Every stored entry of this index by id: [(pk, sk)] (a Scan: the truth, whatever the layout says)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for page in self.client.get_paginator("scan").paginate(
                TableName=self.table, FilterExpression="begins_with(pk, :p)",
                ExpressionAttributeValues={":p": {"S": f"GEO#{self.name}#"}}, ConsistentRead=True):
            for item in page["Items"]:
                sk = item["sk"]["S"]
                out.setdefault(sk.split("#", 1)[1], []).append((item["pk"]["S"], sk))
        return out

    def assert_consistent(self) -> None:
        """Each open gig has exactly one entry, under the layout writers use, and its item points at it; no
        closed gig has one."""
        from gigcore.adapters.dynamo_geo import partition_key
        from gigcore.adapters.dynamo_models import GigItem

        entries = self.stored_entries()
        assert set(entries) == set(self.open)
        state = self.store.state(self.name)
        layout = state.for_writes()
        for gig_id, where in entries.items():
            assert len(where) == 1, (gig_id, where)
            pk, sk = where[0]
            assert pk == partition_key(self.name, layout.partition_of(sk).name)
            item = GigItem.get(f"GIG#{gig_id}", "GIG", consistent_read=True)
            assert (item.geo_pk, item.geo_sk) == (pk, sk)


def near(d: tuple[float, float]) -> tuple[float, float]:
    return LAGOS[0] + d[0], LAGOS[1] + d[1]


points = st.tuples(st.floats(-0.08, 0.08), st.floats(-0.08, 0.08)).map(near)
steps = st.lists(st.one_of(
    st.tuples(st.just("post"), points),
    st.tuples(st.just("move"), st.integers(0, 1000), points),
    st.tuples(st.just("close"), st.integers(0, 1000)),
    st.tuples(st.just("job"), st.integers(1, 4)),
    st.tuples(st.just("search"), points, st.integers(2, 6), st.booleans()),
), min_size=4, max_size=24)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(initial=st.lists(points, min_size=6, max_size=18), steps=steps)
def test_searches_equal_brute_force_while_gigs_change_and_the_layout_moves(dynamo, initial, steps):
    # Given gigs posted through the repository on one (unsplit) partition, more than the target holds
    world = World(dynamo)
    for lat, lng in initial:
        world.post(lat, lng)
    # When gigs are posted, moved and closed while the job measures, starts a move, switches writers and
    # sweeps a few entries at a time, and searches page through the index (the job also running between pages)
    for step in steps:
        if step[0] == "post":
            world.post(*step[1])
        elif step[0] == "move":
            world.move(step[1], *step[2])
        elif step[0] == "close":
            world.close(step[1])
        elif step[0] == "job":
            world.job(step[1])
        else:
            _, (lat, lng), limit, interleave = step
            query = NearbyQuery(lat=lat, lng=lng, radius_km=25.0, limit=limit)
            # Then every page sequence is the brute-force answer: each open gig once, nearest first
            assert world.pages(query, (lambda: world.job(1)) if interleave else (lambda: None)) == \
                world.expected(query)
    # And once the job has finished, every entry sits under the new layout, once, and searches still agree
    reports = world.settle()
    world.assert_consistent()
    query = NearbyQuery(lat=LAGOS[0], lng=LAGOS[1], radius_km=25.0, limit=5)
    assert world.pages(query) == world.expected(query)
    # And no partition holds more than the target, unless the planner can cut no better (identical spots)
    keys = [geo.encode(g.location.lat, g.location.lng) for g in world.open.values() if g.location is not None]
    current = world.store.state(world.name).current
    assert reports[-1].largest_now <= JOB.target or current.splits == geo.plan_splits(keys, JOB.target), reports


class Crash(Exception):
    """The process dies here (a Lambda timeout, an out-of-memory kill)."""


class CrashingStore:
    """The real store, dying at its ``at``-th call: before the call reaches DynamoDB, or after it has."""

    CALLS = ("store", "save_progress", "page", "move", "progress", "scan_keys")

    def __init__(self, inner: Any, at: int | None, after: bool) -> None:
        self.inner, self.at, self.after = inner, at, after
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if name not in self.CALLS:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.at and not self.after:
                raise Crash(f"before {name}")
            result = target(*args, **kwargs)
            if self.calls == self.at:
                raise Crash(f"after {name}")
            return result

        return call


def crowded(dynamo: Any) -> World:
    world = World(dynamo)
    for i in range(11):
        world.post(LAGOS[0] + (i % 4) * 0.004, LAGOS[1] + (i // 4) * 0.005)
    return world


def run_until_done(world: World, store: Any) -> None:
    for _ in range(60):
        if world.job(1000, store).action == "done":
            return
    raise AssertionError("no move finished")


def test_a_crash_at_any_step_of_a_move_is_resumed_by_the_next_run(dynamo):
    # Given the number of store calls a whole move takes without a crash
    counting = CrashingStore(None, None, False)
    clean = crowded(dynamo)
    counting.inner = clean.store
    run_until_done(clean, counting)
    clean.assert_consistent()
    total = counting.calls
    assert total > 10
    for at, after in itertools.product(range(1, total + 1), (False, True)):
        # When the job dies at that call (before it reached DynamoDB, or just after), and runs again
        world = crowded(dynamo)
        dying = CrashingStore(world.store, at, after)
        with pytest.raises(Crash):
            run_until_done(world, dying)
        world.settle()
        # Then the move completes: every gig once, under the new layout, its item pointing at it
        world.assert_consistent()
        assert world.store.state(world.name).current.splits, (at, after)
        assert world.store.progress(world.name) is None
        query = NearbyQuery(lat=LAGOS[0], lng=LAGOS[1], radius_km=10.0, limit=4)
        assert world.pages(query) == world.expected(query), (at, after)


def test_a_move_moves_each_entry_once_and_costs_what_it_reports(dynamo):
    # Given 11 gigs on one partition and a target of 4
    world = crowded(dynamo)
    # When the job runs to the end
    reports = []
    for _ in range(20):
        reports.append(world.job(1000))
        if reports[-1].action == "done":
            break
    # Then it measured, started, switched writers and moved entries, with their write capacity counted
    assert [r.action for r in reports] == ["started", "writers-switched", "done"]
    assert reports[0].entries == 11 and reports[0].largest_now == 11 and reports[0].largest_planned <= 4
    assert reports[-1].moved == reports[0].to_move > 0
    assert reports[-1].capacity > 0
    world.assert_consistent()
    # And a second run finds nothing to move
    assert world.job(1000).action in ("unchanged", "histogram")


def test_the_freelancer_index_is_moved_with_each_users_pointer(dynamo):
    """Issue 20 item 1, "the same for the freelancers' index": the owner of an entry is the user item."""
    from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts, DynamoGeoLayoutStore, partition_key
    from gigcore.adapters.dynamo_models import UserItem
    from gigcore.adapters.dynamo_users import DynamoUserRepository
    from gigcore.domain.geo import freelancer_entry
    from gigcore.domain.users import FreelancerProfile, Skill, User

    # Given 12 available freelancers around Lagos, saved through the user repository into an index of their own
    name = "f" + uuid.uuid4().hex[:10]
    layouts = DynamoGeoLayouts(ttl_seconds=0)
    users = DynamoUserRepository(dynamo.dynamodb, dynamo.settings.table_name, layouts, index=name)
    store = DynamoGeoLayoutStore(dynamo.dynamodb, dynamo.settings.table_name, layouts,
                                 owners={name: ("USER#{}", "PROFILE")})
    saved: dict[str, User] = {}
    for i in range(12):
        user = User(id=f"01JF{uuid.uuid4().hex[:22].upper()}", email=f"{uuid.uuid4().hex}@example.com",
                    name="Ada", roles=("freelancer",), password_hash="x", created_at=WHEN)
        users.add(user)
        profile = FreelancerProfile(headline="Plumber", bio="", skills=(Skill(name="pipes", level="expert"),),
                                    hourly_rate_amount=5000, hourly_rate_currency="NGN", availability="available",
                                    location=Location(LAGOS[0] + (i % 4) * 0.01, LAGOS[1] + (i // 4) * 0.01),
                                    service_radius_km=10.0)
        stored = users.get(user.id)
        assert stored is not None
        saved[user.id] = users.save(replace(stored, freelancer_profile=profile))
    # When the job runs to the end with a target of 4
    reports = [geo_layout.run(name, store=store, settings=JOB) for _ in range(3)]
    # Then the entries moved, each user item points at its entry under the new layout, and a search agrees
    assert [r.action for r in reports] == ["started", "writers-switched", "done"] and reports[-1].moved > 0
    layout = store.state(name).current
    assert layout.splits
    for user_id in saved:
        item = UserItem.get(f"USER#{user_id}", "PROFILE", consistent_read=True)
        assert item.geo_pk == partition_key(name, layout.partition_of(item.geo_sk).name)
    index = DynamoGeoIndex(dynamo.dynamodb, dynamo.settings.table_name, name, layouts)
    query = NearbyQuery(lat=LAGOS[0], lng=LAGOS[1], radius_km=20.0, limit=5)
    entries = [e for e in map(freelancer_entry, saved.values()) if e is not None]
    seen: list[str] = []
    position = None
    while True:
        page = nearby.nearest(index, query, position)
        seen += [h.entry.id for h in page.hits]
        if page.next_position is None:
            break
        position = page.next_position
    assert seen == [h.entry.id for h in nearby.distance_order(query, entries)]
    # And a profile saved after the move (read again, as the service does) still replaces its one entry
    again = users.get(next(iter(saved)))
    assert again is not None and again.freelancer_profile is not None
    users.save(replace(again, freelancer_profile=replace(again.freelancer_profile, availability="unavailable")))
    item = UserItem.get(f"USER#{again.id}", "PROFILE", consistent_read=True)
    assert item.geo_pk is None or item.geo_pk == ""


def test_the_schedule_runs_the_job_on_both_indexes(api):
    """Issue 20 item 1: the ``geo_layout`` schedule (functions/app.py) measures the stack's two geo indexes
    and stores what it measured (the test stack's few entries need no split keys)."""
    from app import app

    from gigcore import bootstrap

    # Given a gig posted through the API
    client = api.post("/auth/signup", {"email": f"{uuid.uuid4().hex}@example.com", "password": "a long passphrase 1",
                                       "name": "Cli", "roles": ["client"]})
    assert client.status_code == 201, client.json_body
    token = client.json_body["access_token"]
    posted = api.post("/gigs", {"title": "Fix a tap", "description": "Kitchen.", "category": "plumbing",
                                "skills": ["pipes"], "budget": {"min": {"amount": 1000, "currency": "NGN"},
                                                                "max": {"amount": 2000, "currency": "NGN"},
                                                                "type": "fixed"},
                                "location": {"lat": LAGOS[0], "lng": LAGOS[1]}, "remote": False,
                                "urgency": "medium"}, token=token)
    assert posted.status_code == 201, posted.json_body
    # When the schedule fires
    answer = app.handler_map["geo_layout"]({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
                                            "time": "2026-12-04T00:00:00Z", "resources": [], "region": "us-east-1",
                                            "account": "000000000000", "id": "e", "version": "0"}, None)
    # Then each index was measured (or had been within the last 6 hours) and left stable, its histogram
    # counting the gig's cell
    assert set(answer) == {"gig", "freelancer"}
    assert {answer[i]["action"] for i in answer} <= {"histogram", "unchanged"}
    state = bootstrap.container().geo_layout_store.state("gig")
    assert state.phase == "stable" and state.since > 0
    assert state.current.histogram.get(geo.encode(LAGOS[0], LAGOS[1], 3), 0) >= 1


def test_the_cli_plans_applies_and_reports_with_the_same_code(stack_env, dynamo):
    """``python -m gigcore.cli.geo_layout plan|apply|status`` on the stack's indexes."""
    import io

    from gigcore.cli import geo_layout as cli

    out = io.StringIO()
    assert cli.main(["plan", "--index", "gig"], out=out) == 0
    planned = out.getvalue()
    assert planned.startswith("gig: phase stable;") and "entries" in planned and "no move" in planned
    out = io.StringIO()
    assert cli.main(["apply", "--index", "freelancer", "--until-done"], out=out) == 0
    assert out.getvalue().startswith("freelancer: ")
    out = io.StringIO()
    assert cli.main(["status"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["gig", "freelancer"]
    assert all("phase stable" in line for line in lines)
