"""The reference page's script is the pinned Redoc bundle, unchanged, with its licence (issue 19 item 3)."""

from __future__ import annotations

import hashlib

from chalicelib import docs


def test_the_bundled_redoc_is_the_pinned_package_file() -> None:
    bundle = (docs.STATIC / "redoc.standalone.js").read_bytes()
    assert hashlib.sha256(bundle).hexdigest() == docs.REDOC_SHA256, f"not the file of {docs.REDOC_PACKAGE}"
    assert "MIT License" in (docs.STATIC / "redoc.LICENSE").read_text()


def test_the_page_loads_its_script_and_document_from_the_api_itself() -> None:
    assert 'src="docs/redoc.standalone.js"' in docs.PAGE and 'spec-url="openapi.json"' in docs.PAGE
    assert "http://" not in docs.PAGE and "https://" not in docs.PAGE
