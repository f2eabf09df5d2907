"""Operator commands (``python -m gigcore.cli.<name>``).

Each command reads its settings from the environment, like the functions do. With no ``GIGCONNECT_*``
variable exported, :func:`use_local_stack` takes them from the file ``make run`` writes (``.data/stack.env``),
so the commands work against a running local stack with nothing exported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Where ``make run`` writes the running stack's variables, relative to the repository (or the current folder).
STACK_FILE = Path(".data") / "stack.env"
#: Names a stack file explicitly (e.g. a stack started with ``--data`` elsewhere).
STACK_FILE_VARIABLE = "GIGCONNECT_STACK_FILE"


def find_stack_file(start: Path | None = None) -> Path | None:
    """``$GIGCONNECT_STACK_FILE``, else the first ``.data/stack.env`` in the current folder or its parents."""
    named = os.environ.get(STACK_FILE_VARIABLE)
    if named:
        return Path(named)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STACK_FILE).is_file():
            return folder / STACK_FILE
    return None


def read_stack_file(path: Path) -> dict[str, str]:
    """The ``KEY=value`` lines of a stack file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value
    return values


def use_local_stack() -> Path | None:
    """Point this command at the running local stack when nothing else was asked for.

    Called first by each command's ``main`` (never at import): if no ``GIGCONNECT_*`` setting is exported (or
    ``GIGCONNECT_STACK_FILE`` names a file), the stack file's variables are added to the environment (an
    exported variable always wins) and the settings are read again. Returns the file used, or None. This is the
    one place besides :mod:`gigcore.settings` that touches the environment: boto3 reads its credentials there.
    """
    exported = [k for k in os.environ if k.startswith("GIGCONNECT_") and k != STACK_FILE_VARIABLE]
    if exported and STACK_FILE_VARIABLE not in os.environ:
        return None
    path = find_stack_file()
    if path is None:
        print("note: no GIGCONNECT_* variable is exported and no .data/stack.env was found: start the local "
              "stack with `make run`, or export the stage's settings", file=sys.stderr)
        return None
    if not path.is_file():
        raise SystemExit(f"error: {STACK_FILE_VARIABLE} names {path}, which does not exist (is `make run` running?)")
    for key, value in read_stack_file(path).items():
        os.environ.setdefault(key, value)
    from gigcore import bootstrap

    bootstrap.reset()
    return path
