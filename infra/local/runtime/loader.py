"""Finds the Chalice app and its handlers, and calls them exactly as Lambda would."""

from __future__ import annotations

import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from infra.local.cfn import REPO, Resolver

FUNCTIONS = REPO / "functions"


def import_app() -> Any:
    """``functions/app.py``'s ``app``; the environment must already point at the local stack.

    With ``GIGCONNECT_RECORD_AWS_CALLS`` set, every AWS call of this process is recorded there, per function
    (infra/iam_calls.py; the IAM test of the e2e package reads them).
    """
    import os

    if os.environ.get("GIGCONNECT_RECORD_AWS_CALLS"):
        from infra.iam_calls import install_recorder

        install_recorder(os.environ["GIGCONNECT_RECORD_AWS_CALLS"])
    if str(FUNCTIONS) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS))
    import app as module

    return module.app


class LambdaContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_seconds: int = 60, memory_mb: int = 512) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Consumer:
    handler: str
    queue_name: str
    batch_size: int


@dataclass(frozen=True)
class Schedule:
    handler: str
    expression: str


@dataclass
class AppIndex:
    """What the runtime needs to know of the app: routes, consumers, stream handlers, schedules, sockets."""

    routes: dict[str, set[str]] = field(default_factory=dict)
    consumers: list[Consumer] = field(default_factory=list)
    stream_handlers: list[str] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    websocket: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, app: Any, stack_name: str, region: str = "us-east-1") -> AppIndex:
        resolver = Resolver(stack_name, region)
        index = cls(routes={path: set(methods) for path, methods in app.routes.items()})
        for source in app.event_sources:
            kind = type(source).__name__
            if kind == "SQSEventConfig":
                queue = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
                index.consumers.append(Consumer(source.name, resolver.substitute(queue), source.batch_size))
            elif kind == "DynamoDBEventConfig":
                index.stream_handlers.append(source.name)
            elif kind == "ScheduledEventConfig":
                expression = source.schedule_expression
                text = expression if isinstance(expression, str) else expression.to_string()
                index.schedules.append(Schedule(source.name, text))
        index.websocket = {route_key: config.name for route_key, config in app.websocket_handlers.items()}
        return index


_SEGMENT = re.compile(r"^\{(\w+)\}$")


def match_route(routes: dict[str, set[str]], path: str) -> tuple[str, dict[str, str]] | None:
    """The route template API Gateway would pick for ``path`` (literal segments beat parameters)."""
    parts = [p for p in path.split("/") if p != ""]
    best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
    for template in routes:
        pattern = [p for p in template.split("/") if p != ""]
        if len(pattern) != len(parts):
            continue
        params: dict[str, str] = {}
        score: list[int] = []
        for want, got in zip(pattern, parts, strict=True):
            variable = _SEGMENT.match(want)
            if variable:
                params[variable.group(1)] = got
                score.append(0)
            elif want == got:
                score.append(1)
            else:
                break
        else:
            if best is None or tuple(score) > best[0]:
                best = (tuple(score), template, params)
    return None if best is None else (best[1], best[2])


# ---- what runs inside a "Lambda" worker process ----------------------------------------------------

_app: Any = None


def worker_init() -> None:
    """Process-pool initializer: ignore Ctrl-C (the parent stops us) and load the app once (a cold start)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _app
    _app = import_app()


def invoke(handler: str, event: dict[str, Any]) -> Any:
    """Call one handler with ``event`` as Lambda would; ``"api"`` is the REST API handler."""
    from infra.iam_calls import set_function

    global _app
    if _app is None:
        _app = import_app()
    set_function("api_handler" if handler == "api" else handler)
    try:
        if handler == "api":
            return _timed_api(event)
        return _app.handler_map[handler](event, LambdaContext(handler))
    finally:
        set_function(None)


_routes_served: set[str] = set()


def _timed_api(event: dict[str, Any]) -> Any:
    """The REST handler's answer with a ``Server-Timing`` header that the Lambda answer does not have:
    the CPU time the invocation took in this worker (every thread of it, as Lambda's CPU is), its wall time,
    how many read-cache lookups hit and missed, and ``first`` when it is this worker's first call of the route
    (what it imports or builds on first use is counted there, not in the warm figures). The load tests read it
    (tests/load)."""
    from gigcore.cache import counters

    before = counters()
    started, wall_started = time.process_time(), time.perf_counter()
    result = _app(event, LambdaContext("api_handler"))
    cpu_ms = (time.process_time() - started) * 1000
    wall_ms = (time.perf_counter() - wall_started) * 1000
    after = counters()
    if isinstance(result, dict):
        timing = [f"cpu;dur={cpu_ms:.3f}", f"handler;dur={wall_ms:.3f}"]
        route = f"{event.get('httpMethod')} {event.get('resource')}"
        if route not in _routes_served:
            _routes_served.add(route)
            timing.append("first")
        hits, misses = after.hits - before.hits, after.misses - before.misses
        if hits or misses:
            timing += [f'cache-hit;desc="{hits}"', f'cache-miss;desc="{misses}"']
        headers = result.setdefault("headers", {}) or {}
        headers["Server-Timing"] = ", ".join(timing)
        result["headers"] = headers
    return result
