"""The local runtime's process: both gateways, the pollers and two pools of "Lambda" worker processes.

    python -m infra.local.runtime.server --api-port 8000 --ws-port 8001 [--workers 2] [--background-workers 2]
        [--data DIR] [--api-kind rest|http]

The gateways hand their invocations (the REST API's and the WebSocket's functions) to one pool, the pollers
theirs (queue consumers, the stream router, schedules) to the other. In the cloud those are separate Lambda
functions with their own concurrency (the workers' reserved concurrency, chalicefile.json): a burst of
background work never takes an API request's instance, and here it does not take its worker either.

The environment must already point at the local services (``LocalServices.environment()``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from infra.local.runtime import gateway
from infra.local.runtime.loader import AppIndex, import_app, invoke, worker_init
from infra.local.runtime.pollers import Poller, SchedulePoller, SqsPoller, StreamPoller

logger = logging.getLogger("gigconnect.runtime")
INVOCATION_TIMEOUT = 60.0


def _warm(_: int) -> int:
    return os.getpid()


class Invokers:
    """Where invocations run: the gateways' (REST and WebSocket functions) in ``api``, the pollers' (queue
    consumers, stream router, schedules) in ``background``."""

    def __init__(self, api: Executor, background: Executor,
                 call: Callable[[str, dict[str, Any]], Any] = invoke, timeout: float = INVOCATION_TIMEOUT) -> None:
        self._api = api
        self._background = background
        self._call = call
        self._timeout = timeout

    async def api(self, handler: str, event: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(self._api, self._call, handler, event), self._timeout)

    def background(self, handler: str, event: dict[str, Any]) -> Any:
        return self._background.submit(self._call, handler, event).result(timeout=self._timeout)


def build_pollers(index: AppIndex, invoke_sync: Any, *, data_dir: Path | None, schedule_speedup: float = 1.0,
                  retry_delay: int = 1) -> list[Poller]:
    """One poller per SQS consumer, one for the table's stream, one for the schedules."""
    aws = os.environ["GIGCONNECT_AWS_ENDPOINT"]
    dynamodb = os.environ["GIGCONNECT_DYNAMODB_ENDPOINT"]
    table = f"{os.environ['GIGCONNECT_STACK_NAME']}-main"
    pollers: list[Poller] = [SqsPoller(aws, c.queue_name, c.handler, c.batch_size, invoke_sync, retry_delay)
                             for c in index.consumers]
    if index.stream_handlers:
        checkpoint = data_dir / "stream-checkpoint.json" if data_dir else None
        pollers.append(StreamPoller(dynamodb, table, index.stream_handlers, invoke_sync, checkpoint))
    if index.schedules:
        pollers.append(SchedulePoller([(s.handler, s.expression) for s in index.schedules], invoke_sync,
                                      schedule_speedup))
    return pollers


async def _main(args: argparse.Namespace) -> None:
    app = import_app()
    index = AppIndex.of(app, os.environ.get("GIGCONNECT_STACK_NAME", "gigconnect-local"))
    context = multiprocessing.get_context("spawn")
    api_pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=context, initializer=worker_init)
    background_pool = ProcessPoolExecutor(max_workers=args.background_workers, mp_context=context,
                                          initializer=worker_init)
    # Pay the workers' cold starts before serving.
    warming = [background_pool.submit(_warm, n) for n in range(args.background_workers * 2)]
    list(api_pool.map(_warm, range(args.workers * 2)))
    for started in warming:
        started.result()
    invokers = Invokers(api_pool, background_pool)
    pollers = build_pollers(index, invokers.background, data_dir=args.data, schedule_speedup=args.schedule_speedup)
    for poller in pollers:
        poller.start()
    runners = await gateway.serve(index, invokers.api, host=args.host, api_port=args.api_port, ws_port=args.ws_port,
                                  api_kind=args.api_kind)
    logger.info("serving REST on %s:%s and WebSocket on %s:%s with %s workers (and %s for background work)",
                args.host, args.api_port, args.host, args.ws_port, args.workers, args.background_workers)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()
    for poller in pollers:
        poller.stop()
    for poller in pollers:
        poller.join(timeout=5)
    api_pool.shutdown(wait=True, cancel_futures=True)
    background_pool.shutdown(wait=True, cancel_futures=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ws-port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="worker processes of the REST and WebSocket functions")
    parser.add_argument("--background-workers", type=int, default=2,
                        help="worker processes of the queue consumers, the stream router and the schedules")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--schedule-speedup", type=float, default=1.0)
    parser.add_argument("--api-kind", choices=gateway.API_KINDS, default="rest",
                        help="the events of the REST API or of an HTTP API (payload format 1.0): template ApiKind")
    args = parser.parse_args()
    # The local stack's own processes (gateway, pollers) log with the standard library, as plain lines for the
    # terminal: no Lambda context or request id exists here. The functions they run log through Powertools.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
