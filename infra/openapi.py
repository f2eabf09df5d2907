"""The OpenAPI document of the REST API (``docs/openapi.json``) and the clients generated from it.

    python -m infra.openapi            # write docs/openapi.json, clients/python, clients/typescript/schema.d.ts
    python -m infra.openapi --check    # `make test`: fail when any of them is stale, when the document is not
                                       # valid OpenAPI 3.1 (openapi-spec-validator), when it breaks a client of
                                       # the released one (docs/openapi.released.json), or when a generator warns
    python -m infra.openapi --types    # `make test`: tsc --noEmit over clients/typescript (types and usage.ts)
    python -m infra.openapi --release  # a version ships: docs/openapi.json becomes the released baseline

The document is what ``GET /openapi.json`` serves (:func:`gigcore.schemas.openapi.build_openapi` over the app's
routes). The clients are its first users, so a document a generator cannot build a working client from fails
the build:

- Python: ``openapi-python-client`` (PyPI, pinned in requirements/constraints.txt) into
  ``clients/python/gigconnect_client``; tests/e2e call the API through it. Any warning of the generator (an
  operation or a schema it had to leave out) is an error here.
- TypeScript: ``openapi-typescript`` into ``clients/typescript/schema.d.ts``, type-checked with ``typescript``
  together with ``usage.ts`` (npm, pinned below, installed once into ``.cache/openapi-ts`` like the AsyncAPI
  parser; nothing global).
"""

from __future__ import annotations

import argparse
import difflib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DOCUMENT = REPO / "docs" / "openapi.json"
RELEASED = REPO / "docs" / "openapi.released.json"
PYTHON_CLIENT = REPO / "clients" / "python"
PYTHON_PACKAGE = "gigconnect_client"
PYTHON_CONFIG = PYTHON_CLIENT / "openapi-python-client.yaml"
TYPESCRIPT = REPO / "clients" / "typescript"
TS_TYPES = TYPESCRIPT / "schema.d.ts"
NPM_PACKAGES = ("openapi-typescript@7.13.0", "typescript@5.9.3")
NPM_DIR = REPO / ".cache" / "openapi-ts"


def build() -> dict[str, Any]:
    """The document ``GET /openapi.json`` serves, built from the app's routes."""
    functions = str(REPO / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    from app import app

    from chalicelib.http import registered_routes
    from gigcore import __version__
    from gigcore.schemas.openapi import build_openapi

    document: dict[str, Any] = build_openapi(registered_routes(app.routes), title="GigConnect API",
                                             version=__version__)
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def validate(document: dict[str, Any]) -> list[str]:
    """openapi-spec-validator's findings (OpenAPI 3.1 and JSON Schema 2020-12, examples included)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in OpenAPIV31SpecValidator(document).iter_errors()]


# ---- the Python client ------------------------------------------------------------------------------------


def generate_python(document_path: Path, out: Path) -> None:
    """``openapi-python-client`` over the document into ``out/gigconnect_client``; SystemExit on any warning."""
    generator = Path(sys.executable).with_name("openapi-python-client")
    if not generator.exists():
        raise SystemExit("error: openapi-python-client is not installed (make's venv installs it: "
                         "requirements/dev.txt)")
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / PYTHON_PACKAGE
        env = os.environ | {"PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff
        done = subprocess.run([str(generator), "generate", "--path", str(document_path), "--meta", "none",
                               "--config", str(PYTHON_CONFIG), "--output-path", str(target), "--fail-on-warning"],
                              capture_output=True, text=True, env=env, check=False, timeout=300)
        if done.returncode != 0 or "Warning" in done.stdout or not (target / "client.py").exists():
            raise SystemExit("error: docs/openapi.json does not make a working Python client "
                             f"(openapi-python-client):\n{done.stdout}{done.stderr}")
        destination = out / PYTHON_PACKAGE
        if destination.exists():
            shutil.rmtree(destination)
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(target, destination, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))


# ---- the TypeScript types -----------------------------------------------------------------------------------


def ensure_npm_tools(folder: Path = NPM_DIR) -> Path:
    """The node_modules/.bin folder with the pinned openapi-typescript and tsc, installed with npm on first use."""
    marker = folder / ".installed"
    wanted = " ".join(NPM_PACKAGES)
    if not (marker.exists() and marker.read_text() == wanted):
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                raise SystemExit(f"error: {tool} is required for the TypeScript client (apt-get install nodejs npm)")
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (marker.exists() and marker.read_text() == wanted):
                subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder),
                                *NPM_PACKAGES], check=True, stdout=subprocess.DEVNULL)
                marker.write_text(wanted)
    return folder / "node_modules" / ".bin"


def generate_typescript(document_path: Path, out_file: Path) -> None:
    tools = ensure_npm_tools()
    # A request field with a default may be left out: not the tool's default reading (required).
    done = subprocess.run([str(tools / "openapi-typescript"), str(document_path), "--output", str(out_file),
                           "--default-non-nullable", "false"],
                          capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"error: openapi-typescript refused docs/openapi.json:\n{done.stdout}{done.stderr}")


def type_check(folder: Path = TYPESCRIPT) -> int:
    """``tsc --noEmit`` over clients/typescript (the generated types and usage.ts that calls the API with them)."""
    tools = ensure_npm_tools()
    done = subprocess.run([str(tools / "tsc"), "--noEmit", "-p", str(folder)], capture_output=True, text=True,
                          check=False, timeout=300)
    if done.returncode != 0:
        print("error: the TypeScript client does not type-check against docs/openapi.json:\n"
              + done.stdout + done.stderr, file=sys.stderr)
    return done.returncode


# ---- freshness ---------------------------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file() and not {"__pycache__", ".ruff_cache"} & set(p.relative_to(root).parts)}


def _stale(name: str, committed: str, fresh: str) -> str:
    diff = difflib.unified_diff(committed.splitlines(), fresh.splitlines(), "committed", "generated", lineterm="",
                                n=1)
    return f"{name} is stale: run `python -m infra.openapi` (or `make render`)\n" + "\n".join(list(diff)[:40])


def check() -> int:
    from infra.openapi_diff import breaking_changes

    document = build()
    fresh = render(document)
    problems: list[str] = []
    committed = DOCUMENT.read_text() if DOCUMENT.exists() else ""
    if committed != fresh:
        problems.append(_stale("docs/openapi.json", committed, fresh))
    problems += [f"docs/openapi.json is not valid OpenAPI 3.1: {finding}" for finding in validate(document)]
    released = json.loads(RELEASED.read_text())
    problems += [f"breaks clients of {RELEASED.relative_to(REPO)}: {change}"
                 for change in breaking_changes(released, document)]
    with tempfile.TemporaryDirectory() as scratch:
        spec = Path(scratch) / "openapi.json"
        spec.write_text(fresh)
        generate_python(spec, Path(scratch) / "python")
        old, new = _tree(PYTHON_CLIENT / PYTHON_PACKAGE), _tree(Path(scratch) / "python" / PYTHON_PACKAGE)
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                problems.append(_stale(f"clients/python/{PYTHON_PACKAGE}/{name}", old.get(name, ""),
                                       new.get(name, "")))
        generate_typescript(spec, Path(scratch) / "schema.d.ts")
        types = (Path(scratch) / "schema.d.ts").read_text()
        if (TS_TYPES.read_text() if TS_TYPES.exists() else "") != types:
            problems.append(_stale("clients/typescript/schema.d.ts", TS_TYPES.read_text() if TS_TYPES.exists()
                                   else "", types))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def write() -> int:
    document = build()
    findings = validate(document)
    if findings:
        print("\n".join(findings), file=sys.stderr)
        return 1
    DOCUMENT.write_text(render(document))
    generate_python(DOCUMENT, PYTHON_CLIENT)
    generate_typescript(DOCUMENT, TS_TYPES)
    for path in (DOCUMENT, PYTHON_CLIENT / PYTHON_PACKAGE, TS_TYPES):
        print(f"wrote {path.relative_to(REPO)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="fail when the document or a client is stale, "
                                                             "invalid or breaking")
    action.add_argument("--types", action="store_true", help="type-check the TypeScript client")
    action.add_argument("--release", action="store_true", help="make docs/openapi.json the released baseline")
    args = parser.parse_args()
    if args.check:
        return check()
    if args.types:
        return type_check()
    if args.release:
        shutil.copyfile(DOCUMENT, RELEASED)
        print(f"wrote {RELEASED.relative_to(REPO)}")
        return 0
    return write()


if __name__ == "__main__":
    sys.exit(main())
