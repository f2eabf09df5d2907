"""docs/asyncapi.json passes the AsyncAPI parser (npm @asyncapi/parser, pinned in infra/asyncapi.py and installed
once into .cache/), and the parser does refuse a broken document (issue 19 item 2)."""

from __future__ import annotations

import json
from pathlib import Path

from infra import asyncapi


def test_the_asyncapi_parser_accepts_the_committed_document() -> None:
    verdict = asyncapi.validate()
    assert verdict.returncode == 0, verdict.stderr
    assert "valid AsyncAPI 3.0.0 (12 operations, 12 messages)" in verdict.stdout


def test_the_parser_refuses_a_document_with_a_dangling_reference(tmp_path: Path) -> None:
    document = json.loads(asyncapi.DOCUMENT.read_text())
    document["components"]["messages"]["ack"]["payload"] = {"$ref": "#/components/schemas/NoSuchFrame"}
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document))
    verdict = asyncapi.validate(broken)
    assert verdict.returncode == 1
    assert "NoSuchFrame" in verdict.stderr
