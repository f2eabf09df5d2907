"""Idempotency-Key handling of the route wrapper, with an in-memory store."""

from __future__ import annotations

import json

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.http import api_conventions, route
from gigcore import bootstrap
from gigcore.ports.auth import IdempotencyState
from tests.fakes import FakeIdempotency


@pytest.fixture
def app_and_store():
    store = FakeIdempotency()
    bootstrap.container().__dict__["idempotency"] = store
    calls: list[int] = []
    app = Chalice(app_name="idempotency-under-test")
    bp = Blueprint(__name__)

    @route(bp, "/pay", method="POST", summary="pay", status=201, auth=False, idempotency="required")
    def pay() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    app.register_blueprint(bp)
    app.register_middleware(api_conventions, "http")
    with Client(app) as client:
        yield client, store, calls
    bootstrap.reset()


def post(client, key: str | None, body: dict):
    headers = {"Content-Type": "application/json"} | ({"Idempotency-Key": key} if key else {})
    return client.http.post("/pay", body=json.dumps(body).encode(), headers=headers)


def test_a_money_route_without_a_key_is_refused(app_and_store):
    client, _, calls = app_and_store
    answer = post(client, None, {"a": 1})
    assert answer.status_code == 400 and calls == []
    assert answer.json_body["error"]["details"] == [{"field": "Idempotency-Key", "issue": "required"}]


def test_the_same_key_and_body_replays_without_running_again(app_and_store):
    client, _, calls = app_and_store
    first = post(client, "k1", {"a": 1})
    second = post(client, "k1", {"a": 1})
    assert first.status_code == second.status_code == 201
    assert second.json_body == first.json_body == {"n": 1}
    assert second.headers["Idempotent-Replayed"] == "true" and len(calls) == 1


def test_a_key_whose_first_request_is_still_running_is_a_conflict(app_and_store):
    client, store, calls = app_and_store
    import hashlib

    digest = hashlib.sha256(b"POST /pay\n" + json.dumps({"a": 1}).encode()).hexdigest()
    store.records[("anon:127.0.0.1", "k2")] = IdempotencyState(request_hash=digest, done=False, answer=None)
    answer = post(client, "k2", {"a": 1})
    assert answer.status_code == 409 and answer.json_body["error"]["code"] == "conflict" and calls == []


def test_the_same_key_with_another_body_is_refused(app_and_store):
    client, _, _ = app_and_store
    post(client, "k3", {"a": 1})
    answer = post(client, "k3", {"a": 2})
    assert answer.status_code == 422 and answer.json_body["error"]["code"] == "idempotency_key_reused"
