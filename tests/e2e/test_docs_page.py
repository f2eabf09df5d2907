"""``GET /docs`` renders the API reference in a browser with no network beyond the API (issue 19 item 3).

Headless Chromium (Debian's ``chromium``; installed here when missing and the tests run as root, else the test is
skipped saying so) loads the page from the local runtime with every other host unresolvable, so a CDN could not
be reached; the rendered page must show every operation of ``/openapi.json``. The screenshot is kept in the
test's output folder (printed with ``-s``).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import local_only

pytestmark = pytest.mark.e2e

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         # Every host but loopback is unresolvable: the page must need nothing from the internet.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def chromium() -> str:
    """Debian's chromium, installed with apt-get when missing and possible; otherwise the test is skipped."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("headless Chromium is not installed and cannot be installed here (not root): "
                    "`apt-get install chromium` runs the /docs test")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    # A fresh machine may have no package lists yet: read them first, or the install finds no chromium.
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"], check=True,
                   env=env, stdout=subprocess.DEVNULL, timeout=900)
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium but it is not on PATH"
    return found


def browse(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=20000", *args],
                          capture_output=True, text=True, timeout=180, check=False)


def test_the_docs_page_renders_every_operation_without_a_cdn(runtime: Any, tmp_path: Path) -> None:
    local_only("runs a browser against the local runtime")
    browser = chromium()
    # Given the API's document and its page
    document = httpx.get(f"{runtime.api_url}/openapi.json", timeout=30).json()
    page = httpx.get(f"{runtime.api_url}/docs", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "https://" not in page.text  # nothing is fetched from elsewhere

    # When a browser renders it (no network beyond the API)
    dom = browse(browser, tmp_path / "profile-dom", "--dump-dom", f"{runtime.api_url}/docs")
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp_path / "docs-page.png"
    taken = browse(browser, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,2400",
                   f"{runtime.api_url}/docs")
    assert taken.returncode == 0 and shot.stat().st_size > 20_000, taken.stderr[-2000:]
    print(f"screenshot: {shot}")

    # Then every operation of /openapi.json is on the page, by its summary and its path
    text = html.unescape(dom.stdout)
    assert "GigConnect API" in text
    missing = [f"{method.upper()} {path}: {op.get('summary')}" for path, item in document["paths"].items()
               for method, op in item.items() if method in {"get", "post", "put", "patch", "delete"}
               and (op.get("summary", "") not in text or path not in text)]
    assert not missing, f"{len(missing)} operation(s) not rendered: {missing[:10]}"
