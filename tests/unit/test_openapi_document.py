"""The OpenAPI document as the people who generate clients from it need it (issue 19 item 1).

Given the app's routes, when the document is built, then: it is the committed docs/openapi.json and valid
OpenAPI 3.1; every operation has its own chosen operationId, a tag, a summary and a description without markup;
every body has an example that its schema (and, for a request, its model) accepts; statuses are enums and
times, emails and addresses have formats; the conventions' headers and answers are on every route that sends
them; no answer is closed to new fields.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource

from gigcore.schemas.openapi import RouteSpec, plain
from gigcore.schemas.operations import OPERATIONS
from infra import openapi as generator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def routes() -> list[RouteSpec]:
    from app import app

    from chalicelib.http import registered_routes

    found: list[RouteSpec] = registered_routes(app.routes)
    return found


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return generator.build()


@pytest.fixture
def client() -> Any:
    from app import app
    from chalice.test import Client

    with Client(app) as c:
        yield c


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in document["paths"].items()
            for method, op in item.items() if method in METHODS]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    registry = Registry().with_resource("urn:doc", Resource.from_contents(
        document | {"$schema": "https://json-schema.org/draft/2020-12/schema"}))
    root = {"$ref": "urn:doc" + schema["$ref"]} if "$ref" in schema else schema
    return jsonschema.Draft202012Validator(root, registry=registry, format_checker=jsonschema.FormatChecker())


def test_the_committed_document_is_the_served_one_and_valid_openapi_3_1(document, client):
    assert json.loads(generator.DOCUMENT.read_text()) == document, "run `python -m infra.openapi`"
    assert client.http.get("/openapi.json").json_body == document
    assert list(OpenAPIV31SpecValidator(document).iter_errors()) == []


def test_every_operation_has_its_own_chosen_name_a_tag_a_summary_and_a_description(document, routes):
    served = {spec.key for spec in routes}
    assert served == set(OPERATIONS), "name every route in gigcore/schemas/operations.py (and only those)"
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]+", i) for i in ids), ids
    assert document["paths"]["/contracts/{contract_id}/milestones/{milestone_id}/fund"]["post"]["operationId"] \
        == "fundMilestone"
    assert document["paths"]["/gigs/nearby"]["get"]["operationId"] == "listNearbyGigs"
    tags = {t["name"] for t in document["tags"]}
    for method, path, op in operations(document):
        assert op["summary"] and op["description"], (method, path)
        assert len(op["tags"]) == 1 and op["tags"][0] in tags, (method, path)


def test_no_description_carries_docstring_markup(document):
    text = json.dumps(document)
    descriptions = re.findall(r'"description": "((?:[^"\\]|\\.)*)"', text)
    assert descriptions
    leaking = [d for d in descriptions if "``" in d or re.search(r":(func|class|data|mod|meth):", d)]
    assert leaking == []
    assert plain("Use ``GET /me`` or :func:`gigcore.services.auth.login`,\n   then `x`.") == \
        "Use GET /me or login, then x."


def test_every_body_has_an_example_its_schema_and_model_accept(document, routes):
    by_key = {spec.key: spec for spec in routes}
    for method, path, op in operations(document):
        body = op.get("requestBody")
        if body is not None:
            media = body["content"]["application/json"]
            assert "example" in media, (method, path)
            assert list(validator(document, media["schema"]).iter_errors(media["example"])) == [], (method, path)
            by_key[f"{method} {path}"].request.model_validate(media["example"])  # what the server would take
        for status, answer in op["responses"].items():
            answer = resolve(document, answer)
            media = answer.get("content", {}).get("application/json")
            if media is None or path == "/openapi.json":
                continue
            assert "example" in media, (method, path, status)
            assert list(validator(document, media["schema"]).iter_errors(media["example"])) == [], \
                (method, path, status)


def test_statuses_are_enums_and_times_emails_and_addresses_have_formats(document):
    schemas = document["components"]["schemas"]
    for name in ("GigOut", "ApplicationOut", "ContractOut", "MilestoneOut", "DisputeOut", "PaymentOut"):
        assert schemas[name]["properties"]["status"].get("enum"), name
    assert "in_progress" in schemas["GigOut"]["properties"]["status"]["enum"]
    assert schemas["NotificationOut"]["properties"]["type"]["enum"]
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            if field.endswith("_at") and "Request" not in name:
                formats = {prop.get("format")} | {v.get("format") for v in prop.get("anyOf", [])}
                assert "date-time" in formats, (name, field)
    assert schemas["UserOut"]["properties"]["email"]["format"] == "email"
    assert schemas["SignupRequest"]["properties"]["email"]["format"] == "email"
    assert schemas["PayoutAccountOut"]["properties"]["onboarding_url"]["format"] == "uri"


def test_the_conventions_headers_and_answers_are_on_every_route_that_sends_them(document):
    for method, path, op in operations(document):
        params = {(p["in"], p["name"]): p for p in op["parameters"]}
        responses = op["responses"]
        success = next(resolve(document, r) for s, r in responses.items() if s.startswith("2"))
        json_answer = "application/json" in success.get("content", {})
        if method == "GET" and json_answer:
            assert ("query", "fields") in params, path
            if path != "/health":  # answered with Cache-Control: no-store, so without an ETag
                assert ("header", "If-None-Match") in params, path
                assert "ETag" in success["headers"] and "ETag" in responses["304"]["headers"], path
        if method == "POST" and path != "/webhooks/stripe":
            assert ("header", "Idempotency-Key") in params, path
            assert "Idempotent-Replayed" in success["headers"], path
        if method in {"POST", "PUT", "PATCH"}:
            assert "413" in responses, (method, path)
        if "429" in responses:
            assert "Retry-After" in resolve(document, responses["429"])["headers"], path
        if op["security"]:
            assert "401" in responses, (method, path)
    money = ("fund", "release", "refund", "resolve")
    for _, path, op in operations(document):
        if path.rsplit("/", 1)[-1] in money:
            key = next(p for p in op["parameters"] if p["name"] == "Idempotency-Key")
            assert key["required"] is True, path
    rate_limited = {"/auth/signup", "/auth/login", "/auth/email/verify-request", "/auth/password/reset-request",
                    "/conversations/{conversation_id}/messages"}
    assert {path for method, path, op in operations(document) if "429" in op["responses"]} == rate_limited


def test_answers_are_open_to_new_fields_and_requests_stay_closed(document):
    schemas = document["components"]["schemas"]

    def refs(node: Any) -> set[str]:
        if isinstance(node, dict):
            own = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
            return own.union(*(refs(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node))
        return set()

    def reachable(roots: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = [r for r in roots if r in schemas]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += [r for r in refs(schemas[name]) if r in schemas]
        return seen

    def closed(node: Any) -> bool:
        if isinstance(node, dict):
            return node.get("additionalProperties") is False or any(closed(v) for v in node.values())
        if isinstance(node, list):
            return any(closed(v) for v in node)
        return False

    answered = set().union(*(refs(r.get("content", {})) for _, _, op in operations(document)
                             for r in op["responses"].values())) | refs(document["components"]["responses"])
    requested = set().union(*(refs(op.get("requestBody", {})) for _, _, op in operations(document)))
    answers = reachable(answered) - reachable(requested)
    assert {"GigOut", "Money", "Rating", "ErrorInfo", "ErrorDetailBody"} <= answers
    assert sorted(name for name in answers if closed(schemas[name])) == []
    assert schemas["CreateGigRequest"]["additionalProperties"] is False


def test_servers_security_and_links_are_described(document):
    assert [s["url"] for s in document["servers"]][0] == "http://127.0.0.1:8000"
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/health"]["get"]["security"] == []
    ids = {op["operationId"] for _, _, op in operations(document)}
    links = document["paths"]["/gigs"]["post"]["responses"]["201"]["links"]
    assert links["getGig"] == {"operationId": "getGig", "parameters": {"gig_id": "$response.body#/id"}}
    for _, _, op in operations(document):
        for answer in op["responses"].values():
            for link in answer.get("links", {}).values():
                assert link["operationId"] in ids
