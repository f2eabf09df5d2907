"""Models and constrained types shared by every area: the base request and query models, list envelopes, and
the one definition of each kind of input (a time, a time zone, a point, an amount, a currency, a count).

Every bound is declared in the type, so the OpenAPI document says exactly what validation enforces, and no
input can reach a conversion that overflows (a datetime beyond year 9999 in UTC, an integer beyond 64 bits,
a time-zone name longer than a file name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from gigcore.domain.clock import parse_rfc3339
from gigcore.domain.money import CHARGEABLE_CURRENCIES, CURRENCIES, MAX_CHARGE, Money, charge_issue, is_currency

T = TypeVar("T")

#: C0 control characters but tab, line feed and carriage return, and DEL: no text a person types has them,
#: and a NUL cuts strings short in whatever reads them later (emails, push payloads, logs, search).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same rule as a JSON Schema pattern, added to every string of a request body in /openapi.json.
CONTROL_FREE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _without_control_characters(value: Any) -> None:
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError("control characters (such as NUL) are not allowed in text")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _without_control_characters(key)
            _without_control_characters(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            _without_control_characters(inner)


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422), types are strict (``0`` is not a boolean,
    ``"5"`` is not a number; an integer is still a number where a float is asked for), and text with control
    characters is refused."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # Nested request models check their own fields; this sees strings, lists and dicts of them.
        _without_control_characters(value)
        return value


class QueryModel(BaseModel):
    """Base of every set of query parameters: they arrive as text, so numbers are parsed from it; parameters
    the route does not know (``fields``, a cache buster) are left alone."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class ResponseModel(BaseModel):
    """Base of every response body. The server builds none with a field it does not declare (``extra="forbid"``),
    yet the OpenAPI document leaves answers open (no ``additionalProperties: false``): a field added in a later
    version must not break a client generated from this one (docs/api.md "Versions"). Every field is always
    written, its default too, so the document says each one is required (generated types need no optional
    fields for them)."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True,
                              defer_build=True)


# ---- how answers are described (formats and enums of plain strings) -------------------------------

#: A moment in an answer: RFC 3339 in UTC (``2026-11-22T10:00:00Z``).
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
#: An http(s) address in an answer.
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
#: An email address in an answer.
EmailAddress = Annotated[str, Field(json_schema_extra={"format": "email"})]


def listed(values: Any) -> Any:
    """``Annotated[str, listed(GigStatus)]``: a string of an answer whose values are those of the ``Literal``
    ``values`` (a domain status). The document lists them as an ``enum``; the value the server writes is not
    checked again (it comes from the domain's own typed state)."""
    return Field(json_schema_extra={"enum": list(get_args(values))})


class Page(ResponseModel, Generic[T]):
    """``{"items": [...], "next_cursor": "<opaque>" | null}``."""

    items: list[T]
    next_cursor: str | None = None


def without_null(*names: str) -> Callable[[dict[str, Any]], None]:
    """A model's ``json_schema_extra`` for fields that may be left out but not sent as null (their validator
    refuses None): the JSON Schema then says so too."""

    def strip(schema: dict[str, Any]) -> None:
        for name in names:
            prop = schema["properties"][name]
            variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
            prop.update(variants[0] if len(variants) == 1 else {"anyOf": variants})
            prop.pop("default", None)

    return strip


# ---- numbers -----------------------------------------------------------------------------------


def _whole_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: ``Annotated[int, Field(...), WholeNumber]``: a JSON integer. JSON Schema counts ``2.0`` as one, so it is taken
#: as 2; ``2.5``, ``"2"`` and ``true`` are not. (Placed after the ``Field`` so that its bounds reach the schema.)
WholeNumber = BeforeValidator(_whole_number)


# ---- times ---------------------------------------------------------------------------------------

#: RFC 3339 date-time with seconds and an offset (``2026-11-22T10:00:00Z``, ``...+01:00``).
_RFC3339 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"


def _utc_time(value: str) -> str:
    try:
        moment = parse_rfc3339(value)
    except ValueError as exc:
        raise ValueError("must be an RFC 3339 time with an offset, e.g. 2026-11-22T10:00:00Z") from exc
    if not 1970 <= moment.year <= 9998:
        raise ValueError("must be a time between the years 1970 and 9998")
    return value


#: A moment, as an RFC 3339 string whose UTC equivalent exists (parsed again by the service).
UtcTime = Annotated[str, Field(pattern=_RFC3339, description="RFC 3339 time with an offset"),
                    AfterValidator(_utc_time)]

_ZONE = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$"


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError("not an IANA time zone such as Africa/Lagos") from exc
    return value


#: An IANA time-zone name (``Africa/Lagos``); the longest in the database has 32 characters.
TimeZone = Annotated[str, Field(min_length=1, max_length=64, pattern=_ZONE, description="IANA time zone"),
                     AfterValidator(_zone)]

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

#: A time of day, ``HH:MM`` on a 24-hour clock.
ClockTime = Annotated[str, Field(pattern=_CLOCK, description="HH:MM, 24-hour")]


# ---- places --------------------------------------------------------------------------------------

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
#: The radius of a "near me" search, in kilometres.
SearchRadius = Annotated[float, Field(ge=0.1, le=100, allow_inf_nan=False)]


# ---- money ---------------------------------------------------------------------------------------

#: An amount of minor units as a filter (``budget_min``, ``max_rate``): no larger than any charge can be.
MinorUnits = Annotated[int, Field(ge=0, le=MAX_CHARGE)]  # a query parameter: parsed from text


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError("must be an ISO 4217 currency code in upper case, such as NGN or USD")
    return value


#: An ISO 4217 code with minor units.
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3, json_schema_extra={"enum": list(CURRENCIES)}),
                     AfterValidator(_currency)]


class MoneyBody(Money):
    """Money as a client sends it: an ISO 4217 currency and at most eight digits of minor units (the largest
    charge the payment provider takes)."""

    model_config = ConfigDict(title="Money")

    amount: Annotated[int, Field(ge=0, le=MAX_CHARGE, description="Minor units (kobo, cents, pence)"), WholeNumber]
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code, upper case",
                                   json_schema_extra={"enum": list(CURRENCIES)})]


class ChargeMoneyBody(MoneyBody):
    """Money to be charged: at least one minor unit (each currency's own minimum is checked on top)."""

    model_config = ConfigDict(title="ChargeMoney")

    amount: Annotated[int, Field(ge=1, le=MAX_CHARGE, description="Minor units, at least the currency's smallest "
                                                                   "charge (docs.stripe.com/currencies)"),
                      WholeNumber]
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code the provider charges in",
                                   json_schema_extra={"enum": list(CHARGEABLE_CURRENCIES)})]


def _from_domain(value: object) -> object:
    # A service or test may pass the domain's Money where a body is parsed from Python objects.
    if isinstance(value, Money) and not isinstance(value, MoneyBody):
        return value.model_dump()
    return value


def _plain(value: MoneyBody) -> Money:
    return Money(amount=value.amount, currency=value.currency)


def _chargeable(value: MoneyBody) -> Money:
    issue = charge_issue(value)
    if issue is not None:
        raise ValueError(f"amount {issue}")
    return _plain(value)


#: An amount a client gives that is never charged as such (a refund, a split, an hourly rate).
Amount = Annotated[MoneyBody, BeforeValidator(_from_domain), AfterValidator(_plain)]

#: An amount that will be charged in one payment (a gig's budget, a proposed rate, a milestone): within the
#: payment provider's minimum and maximum for its currency (``gigcore.domain.money.charge_limits``).
ChargeAmount = Annotated[ChargeMoneyBody, BeforeValidator(_from_domain), AfterValidator(_chargeable)]


# ---- text and counts -----------------------------------------------------------------------------

#: Text that is not only white space.
_SOME_TEXT = re.compile(r"\S").pattern


def text(min_length: int, max_length: int) -> Any:
    """The ``Field`` of a text of ``min_length..max_length`` characters (at least one not white space when
    ``min_length`` > 0)."""
    if min_length > 0:
        return Field(min_length=min_length, max_length=max_length, pattern=_SOME_TEXT)
    return Field(max_length=max_length)


#: ``?limit``: 1..100, 20 when absent.
Limit = Annotated[int, Field(ge=1, le=100, description="How many items a page holds (1 to 100)")]
#: ``?cursor``: the ``next_cursor`` of the previous page.
CursorText = Annotated[str, Field(max_length=4096)]
#: The cursor of a search by place, which holds where each geohash cell stands.
GeoCursorText = Annotated[str, Field(max_length=8192)]
