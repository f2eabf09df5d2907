"""Errors shaped as Stripe's, and parameters read and checked as Stripe's API reference describes.

A missing required parameter is ``parameter_missing``, an unknown one ``parameter_unknown``, both ``400
invalid_request_error`` with ``param`` set.
"""

from __future__ import annotations

from typing import Any

from localstripe.errors import UserError
from localstripe.resources import List, StripeObject, store


class StripeError(UserError):
    """An error with Stripe's ``type``, ``code`` and ``param`` (localstripe's always says invalid_request)."""

    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, **extra: Any) -> None:
        contents: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        if code is not None:
            contents["code"] = code
        if param is not None:
            contents["param"] = param
        super().__init__(status, message, contents)
        self.body["error"]["type"] = type_


def missing_param(param: str) -> StripeError:
    return StripeError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def refuse_unknown(data: dict[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise StripeError(400, f"Received unknown parameter: {key}", code="parameter_unknown", param=key)


def int_param(data: dict[str, Any], param: str, *, required: bool, minimum: int = 1) -> int | None:
    value = data.get(param)
    if value is None:
        if required:
            raise missing_param(param)
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise StripeError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param) from None
    if number < minimum:
        raise StripeError(400, f"This value must be greater than or equal to {minimum}.",
                          code="parameter_invalid_integer", param=param)
    return number


def str_param(data: dict[str, Any], param: str, *, required: bool, prefix: str | None = None) -> str | None:
    value = data.get(param)
    if value is None or value == "":
        if required:
            raise missing_param(param)
        return None
    if not isinstance(value, str):
        raise StripeError(400, f"Invalid string: {value!r}", code="parameter_invalid_string", param=param)
    if prefix is not None and not value.startswith(prefix):
        raise StripeError(400, f"No such object: '{value}'", code="resource_missing", param=param)
    return value


def metadata_param(data: dict[str, Any]) -> dict[str, str]:
    value = data.get("metadata") or {}
    if not isinstance(value, dict):
        raise StripeError(400, "Invalid object", code="parameter_invalid_object", param="metadata")
    if len(value) > 50:
        raise StripeError(400, "Metadata can have up to 50 keys.", param="metadata")
    for key, item in value.items():
        if len(str(key)) > 40 or len(str(item)) > 500:
            raise StripeError(400, "Metadata keys are up to 40 and values up to 500 characters.",
                              param=f"metadata[{key}]")
    return {str(k): str(v) for k, v in value.items()}


def is_true(value: Any) -> bool:
    return str(value).lower() == "true" if not isinstance(value, bool) else value


def stored_object(kind: type[StripeObject], object_id: str, param: str = "id") -> Any:
    found = store.get(f"{kind.object}:{object_id}")
    if found is None:
        raise StripeError(404, f"No such {kind.object}: '{object_id}'", code="resource_missing", param=param)
    return found


def list_object(url: str, items: list[Any], data: dict[str, Any]) -> List:
    page = List(url, limit=data.get("limit"), starting_after=data.get("starting_after"))
    page._list = sorted(items, key=lambda item: item.created, reverse=True)
    return page
