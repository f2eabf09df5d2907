"""Cold start (issue 20 item 5): importing the Lambda handler module builds nothing and imports no heavy SDK;
each is imported by the first request that needs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

#: Imported only on the paths that use them (payments, OpenSearch, the embedded index, passwords, X-Ray,
#: Powertools' logger and metrics, settings from the environment, the AWS clients).
LAZY = ("stripe", "opensearchpy", "tantivy", "argon2", "aws_xray_sdk", "aws_lambda_powertools", "pydantic_settings",
        "boto3", "pynamodb")

PROBE = """
import json, sys
sys.path.insert(0, {functions!r})
import app  # noqa: F401
from gigcore import bootstrap
print(json.dumps({{"loaded": sorted(m for m in {lazy!r} if m in sys.modules),
                   "services": sorted(m for m in sys.modules if m.startswith("gigcore.services.")),
                   "container_built": bootstrap.container.cache_info().currsize,
                   "settings_read": bootstrap.settings.cache_info().currsize}}))
"""


def _import_app_in_a_fresh_process() -> dict[str, object]:
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_TRACE_DISABLED="true")
    out = subprocess.run([sys.executable, "-c", PROBE.format(functions=str(FUNCTIONS), lazy=LAZY)], env=env,
                         check=True, capture_output=True, text=True, timeout=120)
    answer: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return answer


def test_importing_the_app_imports_no_heavy_sdk_and_builds_nothing():
    # Given a fresh process, when it imports the app as Lambda's init phase does
    seen = _import_app_in_a_fresh_process()
    # Then no heavy SDK was imported, and neither the settings nor the container were built
    assert {k: v for k, v in seen.items() if k != "services"} == {"loaded": [], "container_built": 0,
                                                                   "settings_read": 0}


def test_importing_the_app_loads_no_use_case_until_a_request_calls_one():
    # The routes name their services at their top, but a service's module loads on its first call.
    assert _import_app_in_a_fresh_process()["services"] == []
