"""The developer tools around a running local stack (issue 19 item 5): the operator commands find the stack
through the endpoints file ``make run`` writes, and ``make demo`` seeds a marketplace through the API.

Both run as a developer runs them: as separate processes, with nothing exported but the basics of a shell.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local import stackfile
from tests.e2e.conftest import local_only

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def shell_environment() -> dict[str, str]:
    """A developer's shell: no GIGCONNECT_* and no AWS_* variable exported."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("GIGCONNECT_", "AWS_", "POWERTOOLS_"))}


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = (env or shell_environment()) | {"PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def signup(runtime: Any, role: str = "client") -> tuple[str, str]:
    email = f"tools-{uuid.uuid4().hex[:12]}@example.com"
    answer = httpx.post(f"{runtime.api_url}/auth/signup", json={
        "email": email, "password": "correct horse battery", "name": "Tools", "roles": [role]}, timeout=30)
    assert answer.status_code == 201, answer.text
    return email, str(answer.json()["access_token"])


def test_the_admin_command_grants_the_role_on_the_running_stack_with_nothing_exported(
        runtime: Any, stack_env: dict[str, str], tmp_path: Path) -> None:
    # Given a user on the running stack, and the endpoints file its starter writes in the data folder
    local_only("the local stack's endpoints file")
    email, _ = signup(runtime)
    stackfile.write(tmp_path / ".data" / stackfile.NAME, stack_env, api_url=runtime.api_url, ws_url=runtime.ws_url)
    assert (tmp_path / ".data" / stackfile.NAME).stat().st_mode & 0o077 == 0  # the local signing keys stay private

    # When an operator runs the command from the project folder (here a sub-folder) with nothing exported
    (tmp_path / "docs").mkdir()
    granted = run(["-m", "gigcore.cli.admin", "grant", email], cwd=tmp_path / "docs")

    # Then the role is granted, and the user's next login carries it
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.strip() == f"{email}: client, admin"
    login = httpx.post(f"{runtime.api_url}/auth/login", json={"email": email, "password": "correct horse battery"},
                       timeout=30)
    assert "admin" in login.json()["user"]["roles"]


def test_without_a_stack_file_the_admin_command_says_what_to_do(tmp_path: Path) -> None:
    # Given a folder with no endpoints file and nothing exported (nor any AWS credentials a developer may have,
    # so that nothing can reach a real account), when the command runs
    hermetic = shell_environment() | {"AWS_EC2_METADATA_DISABLED": "true",
                                      "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                                      "AWS_CONFIG_FILE": str(tmp_path / "none")}
    answer = run(["-m", "gigcore.cli.admin", "grant", "nobody@example.com"], cwd=tmp_path, env=hermetic)
    # Then it fails with a sentence naming `make run`, not a stack trace
    assert answer.returncode != 0
    assert "make run" in answer.stderr and "Traceback" not in answer.stderr


def test_redrive_and_reindex_use_the_stack_file(runtime: Any, stack_env: dict[str, str], tmp_path: Path) -> None:
    local_only("the local stack's endpoints file")
    stackfile.write(tmp_path / ".data" / stackfile.NAME, stack_env, api_url=runtime.api_url, ws_url=runtime.ws_url)
    redriven = run(["-m", "gigcore.cli.redrive", "email"], cwd=tmp_path)
    assert redriven.returncode == 0, redriven.stderr
    assert "dead-letter queue back to email" in redriven.stdout
    reindexed = run(["-m", "gigcore.cli.reindex", "freelancers", "--keep"], cwd=tmp_path)
    assert reindexed.returncode == 0, reindexed.stderr
    assert "freelancers:" in reindexed.stdout


def test_make_demo_seeds_a_marketplace_through_the_api_and_can_run_twice(
        runtime: Any, stack_env: dict[str, str], tmp_path: Path) -> None:
    # Given a running stack whose endpoints file names its API
    local_only("funds a milestone with the local Stripe's test card")
    stackfile.write(tmp_path / ".data" / stackfile.NAME, stack_env, api_url=runtime.api_url, ws_url=runtime.ws_url)

    # When the demo runs twice, as `make demo` runs it
    first = run(["-m", "infra.local.demo", "--json"], cwd=tmp_path)
    second = run(["-m", "infra.local.demo"], cwd=tmp_path)

    # Then both succeed; the second prints its accounts, tokens and three curl lines
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("curl -s -H 'Authorization: Bearer ey") == 3
    assert second.stdout.count("access token") == 5

    # And what the first made is there for an app to see, through the API
    demo = json.loads(first.stdout)
    accounts = {a["key"]: a for a in demo["accounts"]}
    assert {a["role"] for a in demo["accounts"]} == {"client", "freelancer"}
    boom = {"Authorization": f"Bearer {accounts['boom_operator']['access_token']}"}
    client = {"Authorization": f"Bearer {accounts['lagos_client']['access_token']}"}
    nearby = httpx.get(f"{runtime.api_url}/gigs/nearby", params={"lat": 6.5095, "lng": 3.3711, "radius_km": 25},
                       headers=boom, timeout=30).json()
    ids = {g["id"] for g in nearby["items"]}
    assert demo["ids"]["casting_gig"] in ids  # open, in Yaba
    assert demo["ids"]["plumbing_gig"] not in ids  # Abuja is 500 km away
    contract = httpx.get(f"{runtime.api_url}/contracts/{demo['ids']['contract']}", headers=client, timeout=30).json()
    assert contract["milestones"][0]["status"] == "funded"
    messages = httpx.get(f"{runtime.api_url}/conversations/{demo['ids']['conversation']}/messages", headers=boom,
                         timeout=30).json()
    assert len(messages["items"]) == 3
    profile = httpx.get(f"{runtime.api_url}/users/{accounts['tutor']['user_id']}", headers=client, timeout=30).json()
    assert profile["freelancer_profile"]["headline"] == "WAEC and JAMB mathematics tutor"
    applications = httpx.get(f"{runtime.api_url}/gigs/{demo['ids']['plumbing_gig']}/applications",
                             headers={"Authorization": f"Bearer {accounts['abuja_client']['access_token']}"},
                             timeout=30).json()
    assert len(applications["items"]) == 1
