"""Shared fixtures. Unit tests need no sockets; integration and e2e tests start the local stack."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "functions"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# Unit tests must never reach a real endpoint: point everything at a closed loopback port
# unless a fixture sets up the local stack.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "GigConnect")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
