"""bench/capacity's price model on fixed figures: the levers of issue 20 item 4 change the bill as the template
changes the stack (the access-log line is the template's format, a provisioned table is priced by the unit-hour,
PassThrough tracing roots no trace in Lambda)."""

from __future__ import annotations

import json

import pytest

from bench import capacity
from bench.capacity import MIX, PRICE, ROUTES, Measured, Options, access_log_bytes, per_million, per_request
from infra.render import ACCESS_LOG_FORMAT, HTTP_ACCESS_LOG_FORMAT

#: Fixed per-request figures, close to a run of bench/capacity (so the model is tested, not the machine).
OPS = {name: Measured(name, cpu_ms=5.0, wall_ms=10.0, read_units=1.0, write_units=write, sqs_messages=0.0,
                      outbox_events=1.0 if name == "POST application" else 0.0, stream_records=write / 2)
       for name, write in [("GET /gigs/nearby", 0.0), ("GET /gigs/{id}", 0.0), ("GET /me", 0.0),
                           ("GET /users/{id}", 0.0), ("GET /conversations", 0.0), ("POST message", 6.0),
                           ("POST /auth/login", 3.0), ("POST application", 16.0), ("POST fund", 10.0)]}


@pytest.mark.parametrize("api", ["rest", "http"])
def test_the_access_log_line_is_the_templates_format_with_every_variable_filled(api):
    names = sum(len(json.dumps(name)) + 4 for name in (ACCESS_LOG_FORMAT if api == "rest" else HTTP_ACCESS_LOG_FORMAT))
    for route in ROUTES.values():
        size = access_log_bytes(api, route, 45.0)
        # the field names and the route are in it; with the path and the user agent a line was ~450 bytes
        assert names + len(route.split(" ")[1]) < size < 300, (route, size)
    # a longer route makes a longer line: the route is the request's own
    assert access_log_bytes(api, ROUTES["POST fund"], 45.0) > access_log_bytes(api, ROUTES["GET /me"], 45.0)


def test_a_variable_the_bench_has_no_value_for_stops_it_instead_of_pricing_a_wrong_line(monkeypatch):
    monkeypatch.setitem(ACCESS_LOG_FORMAT, "userAgent", "$context.identity.userAgent")
    with pytest.raises(SystemExit, match="userAgent"):
        access_log_bytes("rest", ROUTES["GET /me"], 10.0)


def test_a_provisioned_table_prices_a_unit_by_the_hour_over_the_share_it_uses():
    read, write = capacity.unit_prices(Options(table="provisioned"))
    utilization = capacity.TABLE_UTILIZATION
    assert write == pytest.approx(PRICE["dynamodb_wcu_hour"] / 3600 / utilization)
    assert read == pytest.approx(PRICE["dynamodb_rcu_hour"] / 3600 / utilization)
    assert capacity.unit_prices(Options()) == (PRICE["dynamodb_read_unit"], PRICE["dynamodb_write_unit"])
    on_demand = per_million(MIX, OPS, Options("http", "arm64"))["dynamodb"]
    provisioned = per_million(MIX, OPS, Options("http", "arm64", table="provisioned"))["dynamodb"]
    assert provisioned == pytest.approx(on_demand * write / PRICE["dynamodb_write_unit"], rel=0.05)
    # its floor (the minimum units of the table and its two indexes) is billed before any request
    floor = capacity.fixed_monthly(Options(table="provisioned"), alarms=0)["table_floor"]
    assert floor == pytest.approx(15 * 730 * (PRICE["dynamodb_rcu_hour"] + PRICE["dynamodb_wcu_hour"]))
    assert capacity.fixed_monthly(Options(), alarms=0)["table_floor"] == 0


def test_passthrough_tracing_roots_no_trace_in_lambda_and_keeps_the_rest_stages_sample(monkeypatch):
    def xray(options: Options) -> float:
        """X-Ray's share of a request's logs and traces."""
        with_traces = per_request(MIX, OPS, options)["observability"]
        with monkeypatch.context() as free:
            free.setitem(PRICE, "xray_trace", 0.0)
            return with_traces - per_request(MIX, OPS, options)["observability"]

    api_share = per_request(MIX, OPS, Options("http"))["api_requests"]
    # behind the HTTP API Lambda roots every trace: Active records 5% of the requests, PassThrough none at all
    assert xray(Options("http", "arm64")) >= capacity.XRAY_RATE_LAMBDA * api_share * PRICE["xray_trace"]
    assert xray(Options("http", "arm64", tracing="PassThrough")) == 0
    # the REST stage's rule samples 1% either way; PassThrough drops only the traces rooted in sockets and queues
    rest_off = xray(Options("rest", "arm64", tracing="PassThrough"))
    assert rest_off == pytest.approx(capacity.XRAY_RATE_REST * api_share * PRICE["xray_trace"])
    assert xray(Options("rest", "arm64")) > rest_off
    assert capacity.fixed_monthly(Options("http", tracing="PassThrough"), alarms=0)["xray_reservoir"] == 0
    assert capacity.fixed_monthly(Options("rest", tracing="PassThrough"), alarms=0)["xray_reservoir"] > 0


def test_a_requests_cpu_runs_at_the_functions_share_of_a_vcpu_and_its_waits_as_measured():
    """Lambda gives 1 vCPU at 1,769 MB: at 1 GB the 5 ms of CPU measured on a whole core take 5 / (1024 / 1769)
    ms, and the 5 ms spent waiting stay 5; at 2 GB (more than a vCPU's worth) the request runs as measured."""
    op = OPS["GET /gigs/nearby"]
    assert capacity.lambda_ms(op, 1.0) == pytest.approx(5.0 * 1769 / 1024 + 5.0)
    assert capacity.lambda_ms(op, 2.0) == pytest.approx(10.0)
    assert capacity.lambda_ms(op, 0.5) == pytest.approx(5.0 * 1769 / 512 + 5.0)
