"""The operator commands find the running local stack through ``.data/stack.env`` (issue 19 item 5)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gigcore import bootstrap
from gigcore.cli import use_local_stack
from infra.local import stackfile


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project folder with a stack file, the shell in a sub-folder and nothing GIGCONNECT_* exported."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("GIGCONNECT_")]:
        del os.environ[key]
    stackfile.write(tmp_path / ".data" / stackfile.NAME,
                    {"GIGCONNECT_DYNAMODB_ENDPOINT": "http://127.0.0.1:18010", "GIGCONNECT_STACK_NAME": "demo-stack"},
                    api_url="http://127.0.0.1:18000", ws_url="ws://127.0.0.1:18001")
    (tmp_path / "tests").mkdir()
    monkeypatch.chdir(tmp_path / "tests")
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)
    bootstrap.reset()


def test_with_nothing_exported_the_settings_come_from_the_stack_file(project: Path) -> None:
    assert use_local_stack() == (project / ".data" / stackfile.NAME).resolve()
    settings = bootstrap.settings()
    assert settings.dynamodb_endpoint == "http://127.0.0.1:18010"
    assert settings.table_name == "demo-stack-main"


def test_an_exported_setting_means_the_stack_file_is_not_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIGCONNECT_STACK_NAME", "gigconnect-prod")
    assert use_local_stack() is None
    bootstrap.reset()
    assert bootstrap.settings().dynamodb_endpoint is None
