"""The running local stack's endpoints in one file (``.data/stack.env``), for the tools that speak to it.

``make run`` writes it once the stack answers and removes it when the stack stops. The operator commands
(``python -m gigcore.cli.admin``, ``reindex``, ``redrive``) read it when no ``GIGCONNECT_*`` variable is exported
(:func:`gigcore.cli.use_local_stack`), and ``make demo`` finds the API there. It is a dotenv file
(``KEY=value`` lines), so a shell can also use it: ``set -a; . .data/stack.env; set +a``. It holds the local
stack's own random signing keys, so it is written readable by its owner only (like ``secrets.json`` beside it).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: The file's name inside the stack's data folder.
NAME = "stack.env"


def write(path: Path, environment: dict[str, str], *, api_url: str, ws_url: str) -> Path:
    """Write the stack's environment plus its two public URLs to ``path`` (owner-only), atomically."""
    values = dict(environment) | {"GIGCONNECT_API_URL": api_url, "GIGCONNECT_WS_URL": ws_url}
    for key, value in values.items():
        if "\n" in value or "=" in key:
            raise ValueError(f"{key} cannot be written to a dotenv file")
    text = "# Written by `make run` while the local stack runs; removed when it stops.\n" + "".join(
        f"{key}={value}\n" for key, value in sorted(values.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    os.chmod(partial, 0o600)
    partial.replace(path)
    return path


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
