"""The authorisation matrix: every route of /openapi.json, called as each of five callers.

The table is tests/security/routes.py (one row per route). A route the API serves without a row fails
the suite, and so does a row for a route the API does not serve: a new route cannot ship without someone
writing down who may call it. A refused call must change nothing: the object is read again after it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.security.routes import BY_ROUTE, CALLERS, ROWS, Row
from tests.security.world import World

pytestmark = pytest.mark.integration

ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found"}


def served_routes(api: Api) -> set[str]:
    document = api.get("/openapi.json").json_body
    return {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}


def test_every_route_the_api_serves_has_a_row(sec_api: Api) -> None:
    # Given the API's own OpenAPI document
    served = served_routes(sec_api)
    # Then each of its operations is in the table
    assert sorted(served - {row.route for row in ROWS}) == []


def test_every_row_names_a_route_the_api_serves(sec_api: Api) -> None:
    served = served_routes(sec_api)
    assert sorted({row.route for row in ROWS} - served) == []
    assert len({row.route for row in ROWS}) == len(ROWS), "a route has two rows"


CELLS = [(row, caller) for row in ROWS for caller in CALLERS]


def _is(status: int, expected: str) -> bool:
    return 200 <= status < 300 if expected == "2xx" else status == int(expected)


@pytest.mark.parametrize(("row", "caller"), CELLS, ids=[f"{row.route} as {caller}" for row, caller in CELLS])
def test_each_caller_gets_the_answer_the_table_gives(sec_world: World, row: Row, caller: str) -> None:
    expected = row.expected()[caller]
    if expected == "2xx":
        # Given an object of the route's kind that this caller may act on (one of its own if the call changes it)
        found = sec_world.fresh(row.kind) if row.changes else sec_world.target(row.kind)
        # When the caller sends a valid request
        answer = row.send(sec_world, caller, found)
        # Then it succeeds
        assert _is(answer.status_code, expected), (answer.status_code, answer.json_body)
        return
    # Given the shared object, as its owner sees it
    found = sec_world.target(row.kind)
    before = sec_world.snapshot(row.kind, found)
    # When a caller who may not act on it sends a valid request
    answer = row.send(sec_world, caller, found)
    # Then the answer is the refusal, in the contract's error shape, and the object is as it was
    assert _is(answer.status_code, expected), (answer.status_code, answer.json_body)
    error: Any = answer.json_body["error"]
    assert error["code"] == ERROR_CODES[answer.status_code] and error["message"], error
    assert sec_world.snapshot(row.kind, found) == before


GUARDED_READS = [row for row in ROWS if row.method == "GET" and row.expected()["stranger"] in {"403", "404"}]


@pytest.mark.parametrize("row", GUARDED_READS, ids=[row.route for row in GUARDED_READS])
def test_a_refused_read_stays_refused_with_the_owners_etag(sec_world: World, row: Row) -> None:
    # Given the ETag of the owner's copy (a 304 to a stranger would confirm what the object holds)
    found = sec_world.target(row.kind)
    owner = row.send(sec_world, "client", found)
    assert owner.status_code == 200 and owner.headers.get("ETag"), owner.status_code
    # When the stranger asks with it
    headers = {"If-None-Match": owner.headers["ETag"], "Authorization": f"Bearer {sec_world.token('stranger')}"}
    answer = sec_world.api._client.http.request("GET", row.path(found), headers=headers, body=b"")
    # Then the answer is the refusal, not "not modified"
    assert answer.status_code == int(row.expected()["stranger"]), answer.status_code


SIGNED_IN_READS = [row for row in ROWS if row.method == "GET" and row.expected()["anonymous"] == "401"]


@pytest.mark.parametrize("row", SIGNED_IN_READS, ids=[row.route for row in SIGNED_IN_READS])
def test_a_signed_in_read_is_never_kept_by_a_shared_cache(sec_world: World, row: Row) -> None:
    caller = next(c for c in ("client", "freelancer", "stranger") if row.expected()[c] == "2xx")
    answer = row.send(sec_world, caller, sec_world.target(row.kind))
    assert answer.status_code == 200
    directives = {d.strip() for d in answer.headers.get("Cache-Control", "").split(",")}
    assert directives & {"private", "no-store"}, answer.headers


@pytest.mark.parametrize("route", ["POST /auth/signup", "POST /auth/login", "POST /auth/refresh"])
def test_an_answer_carrying_tokens_is_never_stored(sec_world: World, route: str) -> None:
    row = BY_ROUTE[route]
    answer = row.send(sec_world, "anonymous", sec_world.target(row.kind))
    assert 200 <= answer.status_code < 300 and answer.json_body["refresh_token"]
    assert "no-store" in answer.headers.get("Cache-Control", ""), answer.headers
