"""Powertools Logger (JSON, correlation id), Metrics (EMF) and Tracer (X-Ray).

Logger and Metrics are module-level objects, as Powertools expects; they read their own
``POWERTOOLS_*`` variables. The Tracer is built on first use instead: creating it initialises the
X-Ray SDK (about 100 ms, a botocore session and its endpoint data), which routes that never trace
should not pay at import. Locally the stack sets ``POWERTOOLS_TRACE_DISABLED=true``, so no X-Ray
daemon is needed and nothing is printed about its absence.

One way to get a logger, in every module of gigcore and functions/::

    from aws_lambda_powertools import Logger

    from gigcore.observability import SERVICE

    logger = Logger(service=SERVICE, child=True)

A child (``gigconnect.<module>``) writes through :data:`logger`'s JSON handler, so each line carries the
service, the level, the place and the correlation id: the API Gateway request id on a request
(chalicelib.http), the outbox event's id while a message is routed or consumed (gigcore.services.events).
Importing this module first (as the line above does) makes the parent before any child. Log through a child,
not through :data:`logger` itself: the Chalice app's own logger has the same name (``gigconnect``) and is set
to ERROR outside debug, which a child's level (INFO, or ``POWERTOOLS_LOG_LEVEL``) does not inherit.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

SERVICE = "gigconnect"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="GigConnect", service=SERVICE)


@functools.cache
def tracer() -> Tracer:
    """The process's Tracer; patches boto3/botocore so AWS calls appear as X-Ray subsegments."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE, patch_modules=["boto3", "botocore"])
