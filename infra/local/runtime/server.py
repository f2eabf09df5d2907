"""The local runtime's process: both gateways, the pollers and a pool of "Lambda" worker processes.

    python -m infra.local.runtime.server --api-port 8000 --ws-port 8001 [--workers 2] [--data DIR]

The environment must already point at the local services (``LocalServices.environment()``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from infra.local.runtime import gateway
from infra.local.runtime.loader import AppIndex, import_app, invoke, worker_init
from infra.local.runtime.pollers import Poller, SchedulePoller, SqsPoller, StreamPoller

logger = logging.getLogger("gigconnect.runtime")
INVOCATION_TIMEOUT = 60.0


def _warm(_: int) -> int:
    return os.getpid()


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
    pool = ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=worker_init)
    list(pool.map(_warm, range(args.workers * 2)))  # pay the workers' cold starts before serving
    loop = asyncio.get_running_loop()

    async def invoke_async(handler: str, event: dict[str, Any]) -> Any:
        return await asyncio.wait_for(loop.run_in_executor(pool, invoke, handler, event), INVOCATION_TIMEOUT)

    def invoke_sync(handler: str, event: dict[str, Any]) -> Any:
        return pool.submit(invoke, handler, event).result(timeout=INVOCATION_TIMEOUT)

    pollers = build_pollers(index, invoke_sync, data_dir=args.data, schedule_speedup=args.schedule_speedup)
    for poller in pollers:
        poller.start()
    runners = await gateway.serve(index, invoke_async, host=args.host, api_port=args.api_port, ws_port=args.ws_port)
    logger.info("serving REST on %s:%s and WebSocket on %s:%s with %s workers", args.host, args.api_port,
                args.host, args.ws_port, args.workers)
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
    pool.shutdown(wait=True, cancel_futures=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ws-port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--schedule-speedup", type=float, default=1.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
