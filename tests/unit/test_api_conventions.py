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
