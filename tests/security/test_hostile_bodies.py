"""Hostile bodies on every route that takes a JSON body, sent by a caller who may use the route.

Whatever the body, the answer is a 4xx in the contract's error shape (never a 5xx, never a stack trace) and
the object the route acts on is as it was. The routes are the app's own registry, so a new JSON-body route is
attacked without anyone adding it here; the valid body each variation starts from is its row in routes.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Api
from tests.security.routes import BY_ROUTE, CALLERS, Row
from tests.security.world import World

pytestmark = pytest.mark.integration


def _routes(with_body: bool) -> list[str]:
    from app import app  # noqa: F401 (registers every route)

    from chalicelib.http import ROUTES

    return sorted(f"{spec.method} {spec.path}" for spec in ROUTES
                  if (spec.request is not None) == with_body and spec.method != "GET"
                  and spec.path != "/webhooks/stripe")


JSON_BODY_ROUTES = _routes(with_body=True)
BODILESS_ROUTES = _routes(with_body=False)


def caller_of(row: Row) -> str:
    """The first caller the table lets use the route."""
    return next(c for c in CALLERS if row.expected()[c] == "2xx")


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every scalar or empty container in a JSON value, with its path."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list) and value:
        for index, inner in enumerate(value):
            yield from leaves(inner, (*path, index))
    else:
        yield path, value


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


def wrong_type(value: Any) -> Any:
    """A value of a type no lenient parser turns into ``value``'s type."""
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, int | float):
        return "ten"
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, list):
        return "not a list"
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return {"unexpected": True}


def dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def variants(kind: str, valid: dict[str, Any]) -> list[bytes]:
    """The hostile bodies of one kind, made from a valid body of the route."""
    text_leaves = [p for p, v in leaves(valid) if isinstance(v, str)] or [(next(iter(valid), "text"),)]
    if kind == "wrong-types":
        return [dump(replaced(valid, p, wrong_type(v))) for p, v in leaves(valid) if p]
    if kind == "not-a-number":
        return [dump(replaced(valid, p, nan))
                for p, v in leaves(valid) if isinstance(v, int | float) and not isinstance(v, bool)
                for nan in (float("nan"), float("inf"), -float("inf"))]
    if kind == "huge-numbers":
        numbers = [p for p, v in leaves(valid) if isinstance(v, int | float) and not isinstance(v, bool)]
        return [dump(replaced(valid, p, big)) for p in numbers for big in (10**40, -(10**40), 1e308)] + [
            dump(replaced(valid, p, "__BIG__")).replace(b'"__BIG__"', b"9" * 5000) for p in numbers]
    if kind == "huge-strings":
        return [dump(replaced(valid, p, "x" * 200_000)) for p in text_leaves]
    if kind == "null-bytes":
        return [dump(replaced(valid, p, "Ada\x00Obi")) for p in text_leaves]
    if kind == "unknown-field":
        return [dump(valid | {"is_admin": True}), dump(valid | {uuid.uuid4().hex: None})]
    if kind == "not-an-object":
        return [b"[]", b"[{}]", b'"text"', b"12", b"null", b"true"]
    if kind == "invalid-json":
        return [b"{", b'{"a": 1,}', b"{'a': 1}", b'{"a": 1}\x00', b"\x00", b'{"a": 1} {"b": 2}',
                b'{"name": "\\ud800"}']
    if kind == "invalid-utf8":
        return [b'{"name": "\xff\xfe\xfd"}', b'{"name": "\xc3\x28"}', b'\xff\xfe{\x00}']
    if kind == "too-large":
        return [b'{"name": "' + b"x" * (300 * 1024) + b'"}']
    if kind == "deep-arrays":
        return [b"[" * 50_000 + b"]" * 50_000]
    if kind == "deep-objects":  # 50,000 levels in 250 KB, under the 256 KB limit
        return [b'{"":' * 50_000 + b"1" + b"}" * 50_000]
    raise AssertionError(kind)


KINDS = ["wrong-types", "not-a-number", "huge-numbers", "huge-strings", "null-bytes", "unknown-field", "not-an-object",
         "invalid-json", "invalid-utf8", "too-large", "deep-arrays", "deep-objects"]
#: Hostile kinds that fail today for a reason being fixed elsewhere.
KNOWN: dict[str, str] = {}

CASES = [pytest.param(route, kind, id=f"{route} {kind}",
                      marks=[pytest.mark.xfail(strict=True, reason=KNOWN[kind])] if kind in KNOWN else [])
         for route in JSON_BODY_ROUTES for kind in KINDS]


def assert_refused_in_shape(answer: Any, sent: bytes) -> None:
    status = answer.status_code
    assert 400 <= status < 500, (status, sent[:120], answer.body[:300])
    error = json.loads(answer.body)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), error
    assert isinstance(error.get("details", []), list), error
    assert "Traceback" not in answer.body.decode("utf-8", "replace")


def test_the_registry_and_the_table_agree_on_the_json_body_routes(sec_api: Api) -> None:
    document = sec_api.get("/openapi.json").json_body
    with_body = sorted(f"{m.upper()} {p}" for p, ops in document["paths"].items() for m, op in ops.items()
                       if "requestBody" in op and p != "/webhooks/stripe")
    assert with_body == JSON_BODY_ROUTES
    assert set(JSON_BODY_ROUTES) <= set(BY_ROUTE)


@pytest.mark.parametrize(("route", "kind"), CASES)
def test_a_hostile_body_is_refused_in_the_error_shape_and_changes_nothing(
        sec_world: World, route: str, kind: str) -> None:
    # Given a route, a caller allowed to use it, and the object it acts on
    row = BY_ROUTE[route]
    caller = caller_of(row)
    found = sec_world.target(row.kind)
    valid = row.body(sec_world, caller, found)
    assert isinstance(valid, dict), f"the row of {route} must give a valid JSON body (routes.py)"
    before = sec_world.snapshot(row.kind, found)
    # When the caller sends each hostile body of this kind
    for sent in variants(kind, valid):
        answer = row.send(sec_world, caller, found, body=sent)
        # Then each is refused with a 4xx in the contract's shape
        assert_refused_in_shape(answer, sent)
        if kind == "too-large":
            assert answer.status_code == 413
    # And nothing was stored
    assert sec_world.snapshot(row.kind, found) == before


BODILESS_CASES = [pytest.param(route, id=route) for route in BODILESS_ROUTES]


@pytest.mark.parametrize("route", BODILESS_CASES)
def test_a_body_sent_to_a_route_that_takes_none_is_refused(sec_world: World, route: str) -> None:
    # Given a route without a body, and an object of its own that the caller may act on
    row = BY_ROUTE[route]
    caller = caller_of(row)
    found = sec_world.fresh(row.kind)
    before = sec_world.snapshot(row.kind, found)
    # When the caller sends fields the route does not take
    answer = row.send(sec_world, caller, found, body={"status": "released", "amount": 1})
    # Then they are refused as unknown fields (API.md) and nothing happened
    assert answer.status_code == 422, (answer.status_code, answer.json_body)
    assert sec_world.snapshot(row.kind, found) == before




@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/xml"])
def test_a_body_of_another_media_type_is_refused_in_the_error_shape(sec_world: World, content_type: str) -> None:
    # Given a valid gig, labelled as something other than JSON
    row = BY_ROUTE["POST /gigs"]
    before = sec_world.snapshot(row.kind, {})
    raw = dump(row.body(sec_world, "client", {}))
    headers = {"Authorization": f"Bearer {sec_world.token('client')}", "Content-Type": content_type}
    answer = sec_world.api._client.http.request("POST", "/gigs", headers=headers, body=raw)
    # Then it is refused as such (415), in the contract's shape, and nothing is stored
    assert answer.status_code == 415
    assert_refused_in_shape(answer, raw)
    assert sec_world.snapshot(row.kind, {}) == before
