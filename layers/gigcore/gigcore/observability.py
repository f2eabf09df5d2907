"""Powertools Logger (JSON, correlation id), Metrics (EMF) and Tracer (X-Ray).

Module-level objects are what Powertools expects; they read their own ``POWERTOOLS_*`` variables.
Locally the stack sets ``POWERTOOLS_TRACE_DISABLED=true`` so no X-Ray daemon is needed and nothing
is printed about its absence.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "gigconnect"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="GigConnect", service=SERVICE)
tracer = Tracer(service=SERVICE)
