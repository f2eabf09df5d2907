"""``make run``: the whole local stack on loopback, data kept in one folder, until Ctrl-C.

    python -m infra.local.run [--data .data] [--api-port 8000] [--ws-port 8001] [--workers N] [--background-workers N]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from infra.local import stackfile
from infra.local.services import LocalServices, Ports, StackError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(".data"))
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ws-port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="worker processes of the REST and WebSocket functions")
    parser.add_argument("--background-workers", type=int, default=2,
                        help="worker processes of the queue consumers, the stream router and the schedules")
    parser.add_argument("--schedule-speedup", type=float, default=1.0,
                        help="run scheduled handlers this many times faster than their rate")
    args = parser.parse_args()

    from infra.local.runtime.process import LocalRuntime

    data = args.data.resolve()
    started = time.monotonic()
    print(f"GigConnect local stack: data in {data}", flush=True)
    services = LocalServices(data, Ports.default(),
                             webhook_url=f"http://127.0.0.1:{args.api_port}/webhooks/stripe")
    runtime: LocalRuntime | None = None
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print("  starting DynamoDB Local, moto and localstripe...", flush=True)
        services.start()
        environment = services.environment() | {"GIGCONNECT_SEARCH_PATH": str(data / "search")}
        runtime = LocalRuntime(environment, api_port=args.api_port, ws_port=args.ws_port, workers=args.workers,
                               background_workers=args.background_workers, data_dir=data,
                               log_file=data / "logs" / "runtime.log", schedule_speedup=args.schedule_speedup)
        print("  starting the gateways, pollers and workers...", flush=True)
        runtime.start()
        written = stackfile.write(data / stackfile.NAME, environment, api_url=runtime.api_url,
                                  ws_url=runtime.ws_url)
        print(f"ready in {time.monotonic() - started:.1f} s: GET {runtime.api_url}/health answers 200", flush=True)
        print(f"  REST API           {runtime.api_url}")
        print(f"  WebSocket          {runtime.ws_url}  (@connections API on the same port)")
        for name, where in services.describe().items():
            print(f"  {name:<18} {where}")
        print(f"  endpoints file     {written}  (read by `python -m gigcore.cli.*` and `make demo`)")
        print("Ctrl-C stops everything; data is kept for the next start.", flush=True)
        while not stopping:
            time.sleep(0.5)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("stopping...", flush=True)
        stackfile.remove(data / stackfile.NAME)
        if runtime is not None:
            runtime.stop()
        services.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
