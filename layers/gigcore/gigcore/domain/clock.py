"""Time: aware UTC datetimes inside, RFC 3339 strings (``2026-11-22T10:00:00Z``) outside."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with a ``Z``; microseconds only when present."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; use UTC")
    moment = moment.astimezone(UTC)
    text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with an explicit offset; returns it in UTC. ``ValueError`` when it is not
    one, or when its UTC equivalent falls outside the years 1..9999 (``9999-12-31T23:59:59-01:00``)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("an RFC 3339 time needs an offset or Z")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time has no UTC equivalent within the years 1..9999") from exc
