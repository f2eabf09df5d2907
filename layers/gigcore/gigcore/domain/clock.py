"""Time: aware UTC datetimes inside, RFC 3339 strings (``2026-11-22T10:00:00Z``) outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND, _MS = timedelta(seconds=1), timedelta(milliseconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _since_epoch(moment: datetime, unit: timedelta, round_up: bool) -> int:
    return -((_EPOCH - moment) // unit) if round_up else (moment - _EPOCH) // unit


def epoch_ms(moment: datetime, *, round_up: bool = False) -> int:
    """``moment`` in milliseconds since the epoch, exactly (integer arithmetic), rounded down or up.

    What the indexes compare a gig's deadline with: a deadline is rounded up and the moment of a read down, so
    an index keeps every gig the table says is before its deadline (``deadline > now``); one whose deadline
    passed less than a unit ago is left to the read-back.
    """
    return _since_epoch(moment, _MS, round_up)


def epoch_seconds(moment: datetime, *, round_up: bool = False) -> int:
    """``moment`` in seconds since the epoch, rounded as :func:`epoch_ms` rounds (the geo index's expiry)."""
    return _since_epoch(moment, _SECOND, round_up)


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
