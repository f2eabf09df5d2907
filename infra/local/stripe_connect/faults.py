"""Fault injection for outage drills: the next ``count`` matching calls answer ``status``."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from infra.local.stripe_connect.idempotency import Handler
from infra.local.stripe_connect.params import StripeError

#: The faults armed through ``POST /_config/connect/faults`` (``DELETE`` clears them).
FAULTS: list[dict[str, Any]] = []


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    for fault in FAULTS:
        if fault["count"] > 0 and fault["method"] == request.method and re.search(fault["path"], request.path):
            fault["count"] -= 1
            raise StripeError(int(fault["status"]), "Injected fault (local stack).", type_="api_error")
    return await handler(request)
