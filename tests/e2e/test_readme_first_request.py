"""The README's "First request" works as written (issue 19 item 6): its shell block (sign-up, /me, nearby) and its
Python socket block are run against the local runtime, only the addresses changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import local_only

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks(language: str) -> list[str]:
    section = README.read_text().split("## First request", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_first_request_runs_as_written(runtime: Any) -> None:
    local_only("the README speaks to `make run`'s stack")
    (shell,) = blocks("sh")
    (python,) = blocks("python")
    assert "API=http://127.0.0.1:8000" in shell and "ws://127.0.0.1:8001" in python
    script = shell.replace("API=http://127.0.0.1:8000", f"API={runtime.api_url}")
    # The shell block leaves TOKEN for the Python block, as a developer's terminal does.
    ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script + '\necho "TOKEN=$TOKEN"'], capture_output=True,
                         text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    text, token = ran.stdout.rsplit("TOKEN=", 1)
    decoder = json.JSONDecoder()
    me, end = decoder.raw_decode(text.strip())
    nearby, _ = decoder.raw_decode(text.strip()[end:].strip())
    assert me["roles"] == ["freelancer"] and me["email"].startswith("first-")
    assert nearby["next_cursor"] is None or isinstance(nearby["next_cursor"], str)
    assert all(set(gig) <= {"id", "title", "budget", "distance_km"} for gig in nearby["items"])
    socket = subprocess.run([sys.executable, "-c", python], capture_output=True, text=True, timeout=60, check=False,
                            env=os.environ | {"TOKEN": token.strip(), "WS": runtime.ws_url})
    assert socket.returncode == 0, socket.stderr
    assert socket.stdout.splitlines()[0] == "{'type': 'pong'}"
