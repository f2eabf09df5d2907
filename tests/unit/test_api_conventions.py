"""The API's shared behaviour, in process with Chalice's test client and fake dependencies."""

from __future__ import annotations

import json

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from pydantic import Field

from chalicelib.http import api_conventions, parse_body, route
from gigcore import bootstrap
from gigcore.domain.errors import ConflictError, UpstreamUnavailableError
from gigcore.domain.money import Money
from gigcore.schemas.common import RequestModel
from tests.unit.app_on_fakes import app_on_fakes


class FakeProbe:
    def __init__(self, name: str, up: bool = True) -> None:
        self.name = name
        self.up = up

    def ping(self) -> None:
        if not self.up:
            raise UpstreamUnavailableError(f"{self.name} is down")


@pytest.fixture
def probes():
    fakes = [FakeProbe(n) for n in ("dynamodb", "queue", "search", "payments")]
    bootstrap.container().__dict__["probes"] = fakes
    yield {p.name: p for p in fakes}
    bootstrap.reset()


@pytest.fixture
def client():
    from app import app

    with Client(app) as c:
        yield c


def test_health_is_ok_when_every_dependency_answers(client, probes):
    answer = client.http.get("/health")
    assert answer.status_code == 200
    assert answer.json_body == {
        "status": "ok",
        "dependencies": {"dynamodb": "ok", "queue": "ok", "search": "ok", "payments": "ok"},
    }


def test_health_names_the_dependency_that_is_down(client, probes):
    probes["payments"].up = False
    answer = client.http.get("/health")
    assert answer.status_code == 503
    assert answer.json_body["dependencies"]["payments"] == "down"
    assert answer.json_body["dependencies"]["dynamodb"] == "ok"


def test_openapi_is_3_1_and_lists_every_route_the_app_serves(client):
    from app import app

    document = client.http.get("/openapi.json").json_body
    assert document["openapi"].startswith("3.1")
    served = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert served == documented
    health = document["paths"]["/health"]["get"]
    schema_ref = health["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.split("/")[-1] in document["components"]["schemas"]


def test_an_unknown_method_answers_405_in_the_error_shape(client):
    answer = client.http.post("/health", body=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 405
    assert answer.json_body["error"]["code"] == "method_not_allowed"


# ---- a small app with a body model, wired with the same middleware and route helper ----------


class Budget(RequestModel):
    min: Money
    max: Money


class CreateThing(RequestModel):
    title: str = Field(min_length=5, max_length=120)
    budget: Budget


def build_app() -> Chalice:
    app = Chalice(app_name="conventions-under-test")
    bp = Blueprint(__name__)

    @route(bp, "/things", method="POST", summary="create", request=CreateThing, status=201, auth=False,
           idempotency="none")
    def create() -> dict[str, str]:
        body = parse_body(bp.current_request, CreateThing, max_bytes=bootstrap.settings().max_body_bytes)
        if body.title == "taken title":
            raise ConflictError("That title exists.")
        return {"title": body.title}

    @route(bp, "/boom", summary="fails", auth=False)
    def boom() -> None:
        raise RuntimeError("secret internal detail /var/task/app.py line 12")

    app.register_blueprint(bp)
    app.register_middleware(api_conventions, "http")
    return app


@pytest.fixture
def things():
    with Client(build_app()) as c:
        yield c


def post(client: Client, body: object | bytes):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.http.post("/things", body=raw, headers={"Content-Type": "application/json"})


VALID = {"title": "Fix my sink", "budget": {"min": {"amount": 1000, "currency": "NGN"},
                                           "max": {"amount": 5000, "currency": "NGN"}}}


def test_a_valid_body_is_accepted(things):
    answer = post(things, VALID)
    assert answer.status_code == 201
    assert answer.json_body == {"title": "Fix my sink"}


def test_an_unknown_field_is_refused_with_422_naming_it(things):
    answer = post(things, VALID | {"colour": "blue"})
    assert answer.status_code == 422
    assert answer.json_body["error"]["code"] == "validation_error"
    assert {"field": "colour", "issue": "unknown field"} in answer.json_body["error"]["details"]


def test_a_nested_field_error_carries_its_dotted_path(things):
    bad = json.loads(json.dumps(VALID))
    bad["budget"]["min"]["amount"] = 10.5
    answer = post(things, bad)
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["budget.min.amount"]


def test_malformed_json_is_a_400(things):
    answer = post(things, b"{not json")
    assert answer.status_code == 400
    assert answer.json_body["error"]["code"] == "validation_error"


def test_a_body_over_256_kb_is_refused_with_413(things):
    answer = post(things, VALID | {"title": "x" * (300 * 1024)})
    assert answer.status_code == 413
    assert answer.json_body["error"]["code"] == "payload_too_large"


def test_a_domain_error_maps_to_its_status_and_code(things):
    answer = post(things, VALID | {"title": "taken title"})
    assert answer.status_code == 409
    assert answer.json_body == {"error": {"code": "conflict", "message": "That title exists.", "details": []}}


def test_an_unexpected_error_is_a_bare_500_without_a_trace(things):
    answer = things.http.get("/boom")
    assert answer.status_code == 500
    assert answer.json_body["error"]["code"] == "internal_error"
    text = answer.body.decode()
    assert "Traceback" not in text and "secret internal detail" not in text and "app.py" not in text


# ---- every route of the app: hostile and empty bodies are refused before any view runs ----------


@pytest.fixture(scope="module")
def signed_in():
    """The real app with fakes behind authentication, and an access token of a client and freelancer."""
    with app_on_fakes("c@example.com") as wired:
        yield wired


def call(signed_in, spec, raw: bytes):
    import re

    client, token, _ = signed_in
    path = re.sub(r"\{\w+\}", "01JD0000000000000000000000", spec.path)
    return client.http.request(spec.method, path, body=raw,
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})


DEEP = 50_000  # the depth; 250 KB of objects, under the 256 KB limit


@pytest.mark.parametrize("raw", [
    b"[" * DEEP + b"]" * DEEP,
    b'{"":' * DEEP + b"1" + b"}" * DEEP,
    b'{"title": ' + b"[" * DEEP,  # deep and unterminated
    b"[" * 200 + b"]" * 200,  # parses without recursing too far, still far deeper than any body
], ids=["arrays", "objects", "unterminated", "200-levels"])
def test_a_deeply_nested_body_is_a_400_on_every_route(signed_in, raw):
    """Issue 16 item 2: RecursionError escaped json.loads and every JSON-body route answered 500."""
    routes = signed_in[2]
    assert len([r for r in routes if r.request is not None]) >= 26
    for spec in routes:
        answer = call(signed_in, spec, raw)
        assert answer.status_code == 400, (spec.method, spec.path, answer.status_code, answer.body[:200])
        assert answer.json_body["error"]["code"] == "validation_error", (spec.method, spec.path)


def test_nesting_up_to_the_limit_is_parsed():
    from gigcore.schemas.json_input import MAX_DEPTH, load_object, nesting_depth

    nested = b'{"a":' + b"[" * (MAX_DEPTH - 1) + b'"]]]{{{"' + b"]" * (MAX_DEPTH - 1) + b"}"
    assert nesting_depth(nested) == MAX_DEPTH
    assert load_object(nested)["a"][0][0] is not None
    assert nesting_depth(b'{"a": "[[[[\\"[[[[", "b": [1, [2]]}') == 3


@pytest.mark.parametrize("raw", [b'"' + b'\\"' * 120_000, b'"' + b'\\"' * 120_000 + b"\\", b'"' * 250_000,
                                 b'["' * 120_000])
def test_hostile_strings_are_refused_in_one_pass(raw):
    """The depth count skips strings; an unterminated one must not make it retry at every later quote
    (quadratic: minutes on 256 KB)."""
    import time

    from gigcore.domain.errors import MalformedRequestError
    from gigcore.schemas.json_input import load_object

    started = time.perf_counter()
    with pytest.raises(MalformedRequestError):
        load_object(raw)
    assert time.perf_counter() - started < 2


def test_a_route_without_a_body_model_refuses_any_field(signed_in):
    """Issue 16 item 8: routes declared without a request model accepted (and ignored) any body."""
    no_body = [r for r in signed_in[2] if r.request is None and r.path != "/webhooks/stripe"]
    assert any(r.method == "POST" for r in no_body)
    for spec in no_body:
        answer = call(signed_in, spec, b'{"reason": "x", "amount": 5}')
        assert answer.status_code == 422, (spec.method, spec.path, answer.status_code)
        error = answer.json_body["error"]
        assert error["code"] == "validation_error"
        assert sorted(d["field"] for d in error["details"]) == ["amount", "reason"], (spec.path, error)
        assert {d["issue"] for d in error["details"]} == {"unknown field"}


def test_a_patch_or_put_with_nothing_in_it_is_refused(signed_in):
    """Issue 16 item 14: ``PATCH /me`` with no body answered 200 having changed nothing."""
    changes = [r for r in signed_in[2] if r.method in ("PATCH", "PUT")]
    assert {r.method for r in changes} == {"PATCH", "PUT"}
    for spec in changes:
        for raw in (b"", b"{}"):
            answer = call(signed_in, spec, raw)
            assert answer.status_code == 422, (spec.method, spec.path, raw, answer.status_code)
            assert answer.json_body["error"]["code"] == "validation_error"
            if spec.method == "PATCH":
                assert answer.json_body["error"]["details"] == [{"field": "body", "issue": "no field to change"}]
    document = signed_in[0].http.get("/openapi.json").json_body
    for spec in changes:
        schema = document["paths"][spec.path][spec.method.lower()]["requestBody"]["content"]["application/json"]
        assert spec.method == "PUT" or schema["schema"]["minProperties"] == 1  # the document says so too
