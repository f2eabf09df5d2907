"""Every route answers the same through an HTTP API (payload format 1.0) as through the REST API (issue 20
item 4): the same request, made into each API's event (infra/local/runtime/gateway.py), gets the same status
and body, errors in the contract's shape included. The template chooses the API (ApiKind); the handler is one.

The whole integration and security suites also run through the HTTP API's events with
``GIGCONNECT_TEST_API_KIND=http`` (docs/deployment.md, "REST API or HTTP API", has the run)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.conftest import Api
from tests.http_api import HttpApiClient

pytestmark = pytest.mark.integration

GHOST = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture(scope="module")
def both(stack_env: dict[str, str]) -> dict[str, Api]:
    from app import app

    return {"rest": Api(HttpApiClient(app, "rest")), "http": Api(HttpApiClient(app, "http"))}


@pytest.fixture(scope="module")
def someone(both: dict[str, Api]) -> dict[str, Any]:
    body = {"email": f"events-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
            "name": "Events", "roles": ["client", "freelancer"]}
    answer = both["rest"].post("/auth/signup", body)
    assert answer.status_code == 201, answer.json_body
    return dict(answer.json_body)


def _routes() -> list[tuple[str, str]]:
    from app import app  # noqa: F401 (registers every route)

    from chalicelib.http import ROUTES

    return sorted({(spec.method, spec.path) for spec in ROUTES})


ROUTES = _routes()
VOLATILE = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}|\d{4}-\d\d-\d\dT[\d:.]+Z")


def _comparable(answer: Any) -> tuple[int, Any]:
    body = answer.json_body
    if answer.status_code < 400:  # a success carries new ids and times: its fields must be the same
        return answer.status_code, sorted(body) if isinstance(body, dict) else type(body).__name__
    return answer.status_code, json.loads(VOLATILE.sub("<id>", json.dumps(body)))


def _path(template: str) -> str:
    return re.sub(r"\{\w+\}", GHOST, template)


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_each_route_answers_the_same_through_either_api(both, someone, method, template):
    path = _path(template)
    token = someone["access_token"]
    cases = [("anonymous", {}, b"{}"), ("signed in, empty body", {"Authorization": f"Bearer {token}"}, b"{}"),
             ("signed in, not json", {"Authorization": f"Bearer {token}"}, b"{not json")]
    for name, headers, body in cases:
        sent = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex} | headers
        rest = both["rest"].request(method, path, headers=sent) if method == "GET" else \
            both["rest"]._client.http.request(method, path, headers=sent, body=body)
        sent["Idempotency-Key"] = uuid.uuid4().hex
        http = both["http"].request(method, path, headers=sent) if method == "GET" else \
            both["http"]._client.http.request(method, path, headers=sent, body=body)
        assert _comparable(rest) == _comparable(http), (name, rest.json_body, http.json_body)
        if rest.status_code >= 400:
            error = http.json_body["error"]
            assert set(error) == {"code", "message", "details"}, (name, error)
        assert http.status_code < 500, (name, http.json_body)


def test_a_signed_in_flow_reads_the_same_and_revalidates_with_lower_case_headers(both, someone):
    """HTTP APIs lower-case header names: the token, the idempotency key and If-None-Match still count."""
    http = both["http"]
    token = someone["access_token"]
    mine = http.get("/me", token=token)
    assert mine.status_code == 200 and mine.json_body == both["rest"].get("/me", token=token).json_body
    etag = mine.headers.get("ETag") or mine.headers.get("etag")
    assert etag
    again = http.get("/me", token=token, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = both["rest"].post("/auth/signup", {"email": f"peer-{uuid.uuid4().hex[:8]}@example.com",
                                               "password": "correct horse battery", "name": "Peer",
                                               "roles": ["client"]}).json_body
    started = http.post("/conversations", {"participant_ids": [other["user"]["id"]]}, token=token)
    assert started.status_code == 201, started.json_body
    sent = http.post(f"/conversations/{started.json_body['id']}/messages",
                     {"body": "through an HTTP API", "client_msg_id": "h-1"}, token=token)
    assert sent.status_code == 201 and sent.json_body["body"] == "through an HTTP API"
    listed = both["rest"].get(f"/conversations/{started.json_body['id']}/messages",
                              token=other["access_token"]).json_body["items"]
    assert [m["id"] for m in listed] == [sent.json_body["id"]]


def test_a_body_an_http_api_hands_over_base64_encoded_is_read_as_sent(both, someone):
    """A content type that is not text arrives base64-encoded in an HTTP API's event: the handler decodes it,
    so the answer (here the refusal of a type the route does not take) is the REST API's."""
    token = someone["access_token"]
    answers = [api._client.http.request("POST", "/conversations", body=b"\x89PNG\r\n\x1a\n",
                                        headers={"Content-Type": "image/png", "Authorization": f"Bearer {token}"})
               for api in (both["rest"], both["http"])]
    assert _comparable(answers[0]) == _comparable(answers[1])
    assert 400 <= answers[1].status_code < 500
