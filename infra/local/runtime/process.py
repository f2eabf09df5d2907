"""Starts the runtime (gateways + pollers + workers) as a child process, for ``make run`` and tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from infra.local.cfn import REPO
from infra.local.services import StackError, free_port


class LocalRuntime:
    """The local API Gateway + Lambda for an environment that points at running LocalServices."""

    def __init__(self, environment: dict[str, str], *, api_port: int | None = None, ws_port: int | None = None,
                 workers: int = 2, background_workers: int = 2, data_dir: Path | None = None,
                 log_file: Path | None = None, schedule_speedup: float = 1.0, api_kind: str = "rest") -> None:
        self.api_port = api_port or free_port()
        self.ws_port = ws_port or free_port()
        self.environment = dict(environment) | {
            "GIGCONNECT_WS_MANAGEMENT_ENDPOINT": f"http://127.0.0.1:{self.ws_port}",
        }
        self._workers = workers
        self._background_workers = background_workers
        self._data_dir = data_dir
        self._log_file = log_file
        self._speedup = schedule_speedup
        self._api_kind = api_kind
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def start(self, timeout: float = 60) -> float:
        """Start and wait until ``/health`` answers 200; returns the seconds it took."""
        started = time.monotonic()
        command = [sys.executable, "-m", "infra.local.runtime.server", "--api-port", str(self.api_port),
                   "--ws-port", str(self.ws_port), "--workers", str(self._workers),
                   "--background-workers", str(self._background_workers),
                   "--schedule-speedup", str(self._speedup), "--api-kind", self._api_kind]
        if self._data_dir is not None:
            command += ["--data", str(self._data_dir)]
        output = self._log_file.open("ab") if self._log_file else subprocess.DEVNULL
        self._process = subprocess.Popen(command, cwd=REPO, env=os.environ | self.environment, stdout=output,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while time.monotonic() - started < timeout:
            if self._process.poll() is not None:
                raise StackError(f"the runtime exited (code {self._process.returncode}); see {self._log_file}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise StackError(f"/health did not answer 200 within {timeout:.0f} s; see {self._log_file}")

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
