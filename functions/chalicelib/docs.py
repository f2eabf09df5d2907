"""``GET /docs``: the API's reference page (Redoc over ``/openapi.json``), served by the API itself.

Redoc's standalone bundle is kept in the repository (``chalicelib/static/``, from the npm package pinned below,
MIT licence beside it), so the page needs no CDN when it is read: the deployment package carries it. The page
and the script are public, like ``/openapi.json``. Both links are relative, so the page works under a stage's
prefix (``/prod/docs``) as on ``make run``. tests/e2e/test_docs_page.py renders it in headless Chromium.

To update: ``npm pack redoc@<version>``, copy ``package/bundles/redoc.standalone.js`` and ``package/LICENSE``
here, and set :data:`REDOC_PACKAGE` and :data:`REDOC_SHA256` (tests/unit/test_docs_bundle.py checks them).
"""

from __future__ import annotations

import functools
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.http import route

bp = Blueprint(__name__)

STATIC = Path(__file__).resolve().parent / "static"
REDOC_PACKAGE = "redoc@2.5.2"
REDOC_SHA256 = "6beb5aea23b71d09122ee35de8f326e38aec050e774f3bfba1f34e5c36608986"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>GigConnect API</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="openapi.json" hide-download-button="false" expand-responses="200,201"></redoc>
  <script src="docs/redoc.standalone.js"></script>
</body>
</html>
"""


@functools.cache
def _bundle() -> str:
    return (STATIC / "redoc.standalone.js").read_text(encoding="utf-8")


@route(bp, "/docs", summary="This API's reference page (Redoc, reading /openapi.json)", auth=False, tag="system")
def docs_page() -> Response:
    return Response(body=PAGE, status_code=200,
                    headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
                             "X-Content-Type-Options": "nosniff"})


@route(bp, "/docs/redoc.standalone.js", summary="The script of the reference page (Redoc, MIT)", auth=False,
       tag="system")
def docs_script() -> Response:
    return Response(body=_bundle(), status_code=200,
                    headers={"Content-Type": "application/javascript; charset=utf-8",
                             "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})
