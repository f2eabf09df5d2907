"""`make smoke URL=... WS=...` (issue 18 item 5): the e2e tests aimed at a given host start no local stack,
skip what needs the local stack's insides and pass against a running stage; rehearsed on the local runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import local_only

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_the_e2e_tests_run_against_a_given_url_without_a_local_stack(runtime: Any):
    local_only("this rehearsal starts a smoke run itself")
    environment = os.environ | {"GIGCONNECT_SMOKE_API_URL": runtime.api_url, "GIGCONNECT_SMOKE_WS_URL": runtime.ws_url}
    for key in ("GIGCONNECT_DYNAMODB_ENDPOINT", "GIGCONNECT_AWS_ENDPOINT", "GIGCONNECT_STACK_NAME"):
        environment.pop(key, None)  # what a run against a deployed stage does not have
    answer = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e",
                             "--deselect", "tests/e2e/test_smoke_mode.py"], cwd=REPO, env=environment,
                            capture_output=True, text=True, timeout=300)
    summary = answer.stdout.strip().splitlines()[-1]
    assert answer.returncode == 0, answer.stdout[-3000:]
    assert " passed" in summary and " skipped" in summary and "failed" not in summary, summary
    assert "local stack only" in answer.stdout  # -ra lists what was skipped and why
