"""``GET /health``."""

from __future__ import annotations

from typing import Literal

from gigcore.schemas.common import ResponseModel

DependencyState = Literal["ok", "down"]


class Dependencies(ResponseModel):
    dynamodb: DependencyState
    queue: DependencyState
    search: DependencyState
    payments: DependencyState


class HealthResponse(ResponseModel):
    """``200`` when every dependency is ``ok``; ``503`` with the same shape when one is ``down``."""

    status: Literal["ok", "degraded"]
    dependencies: Dependencies
