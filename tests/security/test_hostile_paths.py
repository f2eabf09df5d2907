"""Hostile path ids and query strings on every route: the answer is a 4xx in the error shape, never a 5xx.

Ids that exist nowhere are ``404`` to everyone (a stranger learns nothing a missing object would not tell);
ids that cannot be ids at all are refused the same way or as invalid. Every query parameter the API documents
gets values no client should send. The routes and their parameters come from the app's own registry.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from gigcore.schemas.openapi import query_params
from tests.security.routes import BY_ROUTE, CALLERS, Row
from tests.security.world import World

pytestmark = pytest.mark.integration


def _specs() -> list[Any]:
    from app import app  # noqa: F401 (registers every route)

    from chalicelib.http import ROUTES

    return list(ROUTES)


SPECS = _specs()
WITH_IDS = sorted(f"{s.method} {s.path}" for s in SPECS if "{" in s.path)
QUERIES = sorted({(f"{s.method} {s.path}", q.name) for s in SPECS
                  for q in (*s.query, *query_params(s.query_model))})

GHOST = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
NOT_IDS = ["x" * 3000, quote("\x00", safe=""), quote("../../admin", safe=""), quote("' OR '1'='1", safe=""),
           quote("#", safe=""), "%ff", "0", quote("é" * 30, safe="")]


def caller_of(row: Row) -> str:
    return next(c for c in CALLERS if row.expected()[c] == "2xx")


def assert_refused_in_shape(answer: Any) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.body[:300])
    error = json.loads(answer.body)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), error


def with_ids(world: World, row: Row, value: str) -> dict[str, str]:
    """The route's object, with every id of its path replaced by ``value``."""
    return world.target(row.kind) | {name: value for name in re.findall(r"{(\w+)}", row.template)}


@pytest.mark.parametrize("route", WITH_IDS)
def test_an_id_that_exists_nowhere_is_not_found(sec_world: World, route: str) -> None:
    # Given a caller who could use the route on a real object
    row = BY_ROUTE[route]
    caller = caller_of(row)
    # When every id in the path names nothing
    answer = row.send(sec_world, caller, with_ids(sec_world, row, GHOST))
    # Then the answer is 404 not_found
    assert answer.status_code == 404, (answer.status_code, answer.json_body)
    assert answer.json_body["error"]["code"] == "not_found"


@pytest.mark.parametrize("route", WITH_IDS)
def test_an_id_that_cannot_be_an_id_is_refused_in_the_error_shape(sec_world: World, route: str) -> None:
    row = BY_ROUTE[route]
    caller = caller_of(row)
    for value in NOT_IDS:
        assert_refused_in_shape(row.send(sec_world, caller, with_ids(sec_world, row, value)))


HOSTILE_VALUES = ["9" * 40, "-" + "9" * 40, "1e400", "NaN", "-inf", "x" * 5000, quote("\x00", safe=""), "%ff",
                  "", quote("[]", safe=""), "0x10", quote(" 1 ", safe="")]

QUERY_CASES = [pytest.param(route, name, id=f"{route} ?{name}") for route, name in QUERIES]


def test_every_documented_query_parameter_is_tried() -> None:
    # The parameters come from the route registry: a registry that stopped listing them would test nothing.
    assert ("GET /search/gigs", "budget_min") in QUERIES and ("GET /gigs/nearby", "radius_km") in QUERIES


def valid_query(row: Row) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in row.query.lstrip("?").split("&") if pair)


@pytest.mark.parametrize(("route", "name"), QUERY_CASES)
def test_a_hostile_query_value_never_gets_a_server_error(sec_world: World, route: str, name: str) -> None:
    # Given a route's valid query, from a caller who may use it
    row = BY_ROUTE[route]
    caller = caller_of(row)
    found = sec_world.target(row.kind)
    base = valid_query(row)
    for value in HOSTILE_VALUES:
        # When one parameter carries a value no client should send
        query = "&".join(f"{k}={v}" for k, v in (base | {name: value}).items())
        hostile = Row(row.route, row.kind, row.expect, body=row.body, query="?" + query, headers=row.headers)
        answer = hostile.send(sec_world, caller, found)
        # Then it is answered, or refused in the contract's shape; never a 5xx
        if answer.status_code >= 300:
            assert_refused_in_shape(answer)
