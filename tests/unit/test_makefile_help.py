"""`make help` lists every target of the Makefile, one line each (issue 19 item 5)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def makefile_targets() -> set[str]:
    """The rules a person can name: every ``name:`` at the start of a line (not a variable or a file stamp)."""
    text = (REPO / "Makefile").read_text()
    return {m.group(1) for m in re.finditer(r"^([a-z][a-z0-9_-]*):(?!=)", text, re.MULTILINE)}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target_with_a_description() -> None:
    # Given the Makefile's targets, when a developer runs `make help` (also what a bare `make` prints)
    listed = subprocess.run(["make", "--no-print-directory", "help"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout
    bare = subprocess.run(["make", "--no-print-directory"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout
    lines = {m.group(1): m.group(2) for m in re.finditer(r"^  make (\S+)\s+(.+)$", listed, re.MULTILINE)}
    # Then each target has one line with a description, and nothing else is listed
    assert set(lines) == makefile_targets()
    assert all(description.strip() for description in lines.values())
    assert {"run", "test", "demo", "help"} <= set(lines)
    assert bare == listed
