"""The load report's arithmetic (tests/load/report.py): figures per step and the goals' verdicts."""

from tests.load.report import Record, Step, percentile, summarize


def record(step, scenario="browse gigs", name="GET /gigs/{id}", method="GET", ms=10.0, ok=True, cpu=2.0,
           hits=0, misses=0, at=None):
    return Record(at=at if at is not None else step * 10 + 1, step=step, scenario=scenario, name=name,
                  method=method, ms=ms, ok=ok, cpu_ms=cpu, cache_hits=hits, cache_misses=misses)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([], 50) is None


def test_each_step_gets_its_rate_latencies_errors_cpu_and_cache_ratio():
    steps = [Step(rate=2, seconds=10), Step(rate=4, seconds=10)]
    records = [record(0, ms=float(ms), hits=1) for ms in range(1, 21)]
    records += [record(1, ms=100.0, ok=n % 4 != 0, cpu=4.0, misses=1) for n in range(40)]
    summary = summarize(records, steps)
    first, second = summary["steps"]
    assert (first["requests"], first["requests_per_s"], first["p50_ms"], first["p95_ms"]) == (20, 2.0, 10.0, 19.0)
    assert first["error_rate"] == 0 and first["cache_hit_ratio"] == 1.0 and first["cpu_ms_per_request"] == 2.0
    assert second["requests_per_s"] == 4.0 and second["error_rate"] == 0.25 and second["cache_hit_ratio"] == 0.0


def test_the_browse_goal_is_read_at_the_highest_step_without_errors():
    steps = [Step(rate=2, seconds=10), Step(rate=4, seconds=10), Step(rate=8, seconds=10)]
    records = [record(0, ms=30.0), record(1, ms=60.0), record(2, ms=500.0, ok=False)]
    goals = summarize(records, steps)["goals"]
    assert (goals["browse_highest_sustained_step"], goals["browse_p95_ms_there"]) == (2, 60.0)
    assert [s["step"] for s in goals["not_sustained"]] == [3]


def test_a_step_whose_requests_queued_for_a_worker_is_not_sustained():
    # Step 2 answers without errors, but its typical request waited 120 ms for a worker and ran 12 ms
    def timed(step, ms, handler, gateway):
        return Record(at=step * 10 + 1, step=step, scenario="browse gigs", name="GET /gigs/{id}", method="GET",
                      ms=ms, ok=True, cpu_ms=2.0, handler_ms=handler, gateway_ms=gateway)

    steps = [Step(rate=32, seconds=10), Step(rate=64, seconds=10)]
    records = [timed(0, 15.0, 9.0, 11.0) for _ in range(5)] + [timed(1, 140.0, 12.0, 132.0) for _ in range(5)]
    goals = summarize(records, steps)["goals"]
    assert (goals["browse_highest_sustained_rate"], goals["browse_p95_ms_there"]) == (32, 15.0)
    assert goals["not_sustained"] == [{"step": 2, "rate": 64, "error_rate": 0.0, "worker_wait_ms_p50": 120.0,
                                       "handler_ms_p50": 12.0, "browse_p95_ms": 140.0}]


def test_cpu_goals_leave_out_the_first_request_of_a_route_and_the_password_hashing_posts():
    records = [record(0, cpu=40.0, at=1), record(0, cpu=3.0, at=2), record(0, cpu=4.0, at=3),
               record(0, name="POST /auth/login", method="POST", cpu=250.0, at=4),
               record(0, name="POST /auth/login", method="POST", cpu=250.0, at=5),
               record(0, name="POST /gigs/{id}/applications", method="POST", cpu=60.0, at=6),
               record(0, name="POST /gigs/{id}/applications", method="POST", cpu=9.0, at=7)]
    goals = summarize(records, [Step(rate=1, seconds=10)])["goals"]
    assert goals["cpu_ms_per_warm_get_p50"] == 3.0 and goals["cpu_ms_per_warm_get_mean"] == 3.5
    assert goals["cpu_ms_per_post_p50"] == 9.0


def test_cpu_goals_leave_out_each_worker_s_first_call_of_a_route_when_the_runtime_marks_it():
    # Two workers: each one's first fund imports the payment client; a GET that is warm from the start counts
    def fund(cpu, first, at):
        return Record(at=at, step=0, scenario="pay", name="POST /contracts/{id}/milestones/{id}/fund",
                      method="POST", ms=50.0, ok=True, cpu_ms=cpu, first=first)

    records = [fund(210.0, True, 1), fund(190.0, True, 2), fund(12.0, False, 3), fund(14.0, False, 4),
               Record(at=0.5, step=0, scenario="browse gigs", name="GET /gigs/{id}", method="GET", ms=5.0, ok=True,
                      cpu_ms=0.6, first=False)]
    goals = summarize(records, [Step(rate=1, seconds=10)])["goals"]
    assert goals["cpu_ms_per_post_mean"] == 13.0 and goals["cpu_ms_per_post_p50"] == 12.0
    assert goals["cpu_ms_per_warm_get_p50"] == 0.6
