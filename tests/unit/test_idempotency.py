"""Idempotency-Key handling of the route wrapper, with an in-memory store."""

from __future__ import annotations

import json

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.http import api_conventions, route
from gigcore import bootstrap
from gigcore.domain.errors import ConflictError
from gigcore.ports.auth import IdempotencyState
from gigcore.schemas.common import RequestModel
from tests.fakes import FakeIdempotency


class PayBody(RequestModel):
    a: int


@pytest.fixture
def app_and_store():
    store = FakeIdempotency()
    bootstrap.container().__dict__["idempotency"] = store
    calls: list[int] = []
    app = Chalice(app_name="idempotency-under-test")
    bp = Blueprint(__name__)

    @route(bp, "/pay", method="POST", summary="pay", request=PayBody, status=201, auth=False,
           idempotency="required")
    def pay() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    @route(bp, "/things/{thing_id}/pay", method="POST", summary="pay for one thing", request=PayBody, status=201,
           auth=False, idempotency="required")
    def pay_thing(thing_id: str) -> dict[str, object]:
        calls.append(1)
        return {"thing": thing_id, "n": len(calls)}

    @route(bp, "/busy", method="POST", summary="a busy object", request=PayBody, auth=False,
           idempotency="required")
    def busy() -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise ConflictError("Another payment step on this object is in progress; try again.")
        return {"n": len(calls)}

    @route(bp, "/session", method="POST", summary="open a session", request=PayBody, auth=False)
    def session() -> dict[str, object]:
        calls.append(1)
        return {"user": {"id": "u1"}, "access_token": f"at-{len(calls)}", "refresh_token": f"rt_{len(calls)}"}

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
    assert post(client, "k2", {"a": 1}).status_code == 201
    first = store.records[("anon:127.0.0.1", "k2")]
    store.records[("anon:127.0.0.1", "k2")] = IdempotencyState(request_hash=first.request_hash, done=False,
                                                                answer=None)
    calls.clear()
    answer = post(client, "k2", {"a": 1})
    assert answer.status_code == 409 and answer.json_body["error"]["code"] == "conflict" and calls == []


def test_the_same_key_with_another_body_is_refused(app_and_store):
    client, _, _ = app_and_store
    post(client, "k3", {"a": 1})
    answer = post(client, "k3", {"a": 2})
    assert answer.status_code == 422 and answer.json_body["error"]["code"] == "idempotency_key_reused"


def test_a_key_reused_on_another_object_does_not_replay_the_other_objects_answer(app_and_store):
    """Issue 16 item 3: the request hash covered the route's template, so paying for thing B with the key
    of thing A replayed A's answer and B was never paid."""
    client, _, calls = app_and_store
    headers = {"Content-Type": "application/json", "Idempotency-Key": "k4"}
    first = client.http.post("/things/A/pay", body=b'{"a": 1}', headers=headers)
    other = client.http.post("/things/B/pay", body=b'{"a": 1}', headers=headers)
    assert first.status_code == 201 and first.json_body == {"thing": "A", "n": 1}
    assert other.status_code == 422 and other.json_body["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in other.headers and len(calls) == 1
    again = client.http.post("/things/A/pay", body=b'{"a": 1}', headers=headers)
    assert again.json_body == first.json_body and again.headers["Idempotent-Replayed"] == "true"


def test_a_key_reused_with_another_query_string_is_refused(app_and_store):
    client, _, calls = app_and_store
    headers = {"Content-Type": "application/json", "Idempotency-Key": "k5"}
    assert client.http.post("/things/A/pay?note=1", body=b'{"a": 1}', headers=headers).status_code == 201
    other = client.http.post("/things/A/pay?note=2", body=b'{"a": 1}', headers=headers)
    assert other.status_code == 422 and other.json_body["error"]["code"] == "idempotency_key_reused"
    assert len(calls) == 1


def test_an_answer_with_tokens_is_never_stored_and_a_retry_runs_again(app_and_store):
    """Issue 16 item 5: the store keeps only the status of an answer that carried credentials."""
    client, store, calls = app_and_store
    headers = {"Content-Type": "application/json", "Idempotency-Key": "k6"}
    first = client.http.post("/session", body=b'{"a": 1}', headers=headers)
    assert first.status_code == 200 and first.json_body["refresh_token"] == "rt_1"
    kept = store.records[("anon:127.0.0.1", "k6")]
    assert kept.done and kept.answer is not None and kept.answer.status == 200
    assert kept.answer.body is None and kept.answer.replayable is False
    assert "rt_1" not in repr(kept) and "at-1" not in repr(kept)
    again = client.http.post("/session", body=b'{"a": 1}', headers=headers)
    assert again.status_code == 200 and again.json_body["refresh_token"] == "rt_2" and len(calls) == 2
    assert "Idempotent-Replayed" not in again.headers
    other = client.http.post("/session", body=b'{"a": 2}', headers=headers)
    assert other.status_code == 422 and other.json_body["error"]["code"] == "idempotency_key_reused"


def test_the_stored_request_hash_is_keyed(app_and_store, monkeypatch):
    """Issue 16 item 5: a plain SHA-256 of the body (a password, a token) could be checked offline; the
    hash kept must depend on a server-side key."""
    import hashlib

    from pydantic import SecretStr

    client, store, _ = app_and_store
    body = b'{"a": 1}'
    headers = {"Content-Type": "application/json"}
    client.http.post("/pay", body=body, headers=headers | {"Idempotency-Key": "k7"})
    stored = store.records[("anon:127.0.0.1", "k7")].request_hash
    for plain in (body, b"POST /pay\n" + body):
        assert stored != hashlib.sha256(plain).hexdigest()
    other_key = bootstrap.settings().model_copy(update={"jwt_secret": SecretStr("another server key")})
    monkeypatch.setattr(bootstrap, "settings", lambda: other_key)
    client.http.post("/pay", body=body, headers=headers | {"Idempotency-Key": "k8"})
    assert store.records[("anon:127.0.0.1", "k8")].request_hash != stored


def test_a_conflict_answer_is_not_kept_so_the_retry_with_the_key_runs_again(app_and_store):
    """A 409 conflict ("busy, try again") replayed to every retry would never let the request through."""
    client, store, calls = app_and_store
    headers = {"Content-Type": "application/json", "Idempotency-Key": "k9"}
    first = client.http.post("/busy", body=b'{"a": 1}', headers=headers)
    assert first.status_code == 409 and first.json_body["error"]["code"] == "conflict"
    again = client.http.post("/busy", body=b'{"a": 1}', headers=headers)
    assert again.status_code == 200 and again.json_body == {"n": 2} and "Idempotent-Replayed" not in again.headers
