"""The clients generated from docs/openapi.json are the build's verdict on it (issue 19 item 4).

Given a document a generator cannot build a working client from, when the Python client is generated, then the
build stops and says so; given a usage of the TypeScript types that the document does not support, when it is
type-checked, then tsc fails. The committed document passes both (`make openapi`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infra import openapi as generator


def test_a_document_that_makes_no_working_python_client_fails_the_build(tmp_path: Path) -> None:
    document = json.loads(generator.DOCUMENT.read_text())
    # Two schemas that a generator would name alike: it leaves one out (and every operation using it).
    document["components"]["schemas"]["MoneyBody"]["title"] = "Money"
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    with pytest.raises(SystemExit, match="does not make a working Python client"):
        generator.generate_python(spec, tmp_path / "client")
    assert not (tmp_path / "client").exists()


def test_the_committed_document_makes_the_committed_python_client(tmp_path: Path) -> None:
    generator.generate_python(generator.DOCUMENT, tmp_path)
    package = generator.PYTHON_CLIENT / generator.PYTHON_PACKAGE
    fund = "api/escrow/fund_milestone.py"
    assert (tmp_path / generator.PYTHON_PACKAGE / fund).read_text() == (package / fund).read_text()


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (make tools)")
def test_a_usage_the_typescript_types_do_not_allow_fails_the_type_check(tmp_path: Path) -> None:
    folder = tmp_path / "typescript"
    shutil.copytree(generator.TYPESCRIPT, folder)
    assert generator.type_check(folder) == 0
    usage = folder / "usage.ts"
    usage.write_text(usage.read_text() + '\nexport const colour: Gig["colour"] = "red";\n')
    assert generator.type_check(folder) != 0
