"""The breaking-change check between the released OpenAPI document and the new one (issue 19 item 1).

Given a small released document, when one change is made to it, then each kind of change that breaks a client
built from the released one is reported, and each additive change passes. The real pair (docs/openapi.json
against docs/openapi.released.json) is checked by `make openapi`; the last test runs the same comparison here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from infra import openapi as generator
from infra.openapi_diff import breaking_changes

RELEASED: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/gigs": {
            "post": {
                "operationId": "createGig",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "schema": {"type": "string", "maxLength": 255}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CreateGigRequest"}}}},
                "responses": {"201": {"description": "Created.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/GigOut"}}}}},
            },
        },
        "/gigs/{gig_id}": {
            "get": {
                "operationId": "getGig",
                "parameters": [{"name": "gig_id", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "limit", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                "responses": {"200": {"description": "Success.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/GigOut"}}}}},
            },
        },
    },
    "components": {"schemas": {
        "CreateGigRequest": {
            "type": "object", "additionalProperties": False, "required": ["title"],
            "properties": {
                "title": {"type": "string", "minLength": 5, "maxLength": 120},
                "urgency": {"type": "string", "enum": ["low", "medium", "high"]},
                "remote": {"type": "boolean"},
                "estimated_days": {"type": "integer"},
                "deadline": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        },
        "GigOut": {
            "type": "object", "required": ["id", "status", "budget", "deadline"],
            "properties": {
                "id": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "in_progress", "completed", "cancelled"]},
                "budget": {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "integer"}}},
                "deadline": {"type": "string"},
                "skills": {"type": "array", "items": {"type": "string"}},
            },
        },
    }},
}


def changed(edit: Callable[[dict[str, Any]], None]) -> list[str]:
    new = copy.deepcopy(RELEASED)
    edit(new)
    return breaking_changes(RELEASED, new)


def schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["components"]["schemas"][name]
    return found


BREAKING: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a path removed": (lambda d: d["paths"].pop("/gigs/{gig_id}"), "path removed"),
    "an operation removed": (lambda d: d["paths"]["/gigs"].pop("post"), "operation removed"),
    "an operationId renamed": (lambda d: d["paths"]["/gigs"]["post"].update(operationId="postGig"),
                               "operationId"),
    "a response field removed": (lambda d: schema(d, "GigOut")["properties"].pop("skills"), "field 'skills' removed"),
    "a nested response field removed": (
        lambda d: schema(d, "GigOut")["properties"]["budget"]["properties"].pop("amount"), "field 'amount' removed"),
    "a response field no longer always there": (lambda d: schema(d, "GigOut")["required"].remove("deadline"),
                                                "no longer always answered"),
    "a response field made nullable": (
        lambda d: schema(d, "GigOut")["properties"].update(deadline={"type": ["string", "null"]}), "type changed"),
    "a response field's type changed": (
        lambda d: schema(d, "GigOut")["properties"]["budget"]["properties"].update(amount={"type": "string"}),
        "type changed"),
    "a response array's items changed": (
        lambda d: schema(d, "GigOut")["properties"]["skills"].update(items={"type": "integer"}), "type changed"),
    "a value added to a response enum": (
        lambda d: schema(d, "GigOut")["properties"]["status"]["enum"].append("archived"), "new values"),
    "a request field's type narrowed": (
        lambda d: schema(d, "CreateGigRequest")["properties"].update(deadline={"type": "string"}), "type narrowed"),
    "a request field given another type": (
        lambda d: schema(d, "CreateGigRequest")["properties"].update(estimated_days={"type": "boolean"}),
        "type narrowed"),
    "a request bound tightened": (
        lambda d: schema(d, "CreateGigRequest")["properties"]["title"].update(maxLength=80), "maxLength lowered"),
    "a request minimum raised": (
        lambda d: d["paths"]["/gigs/{gig_id}"]["get"]["parameters"][1]["schema"].update(minimum=5),
        "minimum raised"),
    "a value removed from a request enum": (
        lambda d: schema(d, "CreateGigRequest")["properties"]["urgency"]["enum"].remove("low"), "enum values removed"),
    "a request field limited to values": (
        lambda d: schema(d, "CreateGigRequest")["properties"]["remote"].update(enum=[True]), "now limited"),
    "a new required request field": (lambda d: schema(d, "CreateGigRequest")["required"].append("remote"),
                                     "'remote' is now required"),
    "a request field removed from a closed body": (
        lambda d: schema(d, "CreateGigRequest")["properties"].pop("remote"), "field 'remote' removed"),
    "a new required query parameter": (
        lambda d: d["paths"]["/gigs/{gig_id}"]["get"]["parameters"].append(
            {"name": "lang", "in": "query", "required": True, "schema": {"type": "string"}}), "new and required"),
    "an optional header made required": (
        lambda d: d["paths"]["/gigs"]["post"]["parameters"][0].update(required=True), "now required"),
    "a body made required": (
        lambda d: d["paths"]["/gigs/{gig_id}"]["get"].update(requestBody={
            "required": True, "content": {"application/json": {"schema": {"type": "object"}}}}),
        "request body: new and required"),
    "a success status removed": (
        lambda d: d["paths"]["/gigs"]["post"]["responses"].update({"200": d["paths"]["/gigs"]["post"]["responses"]
                                                                   .pop("201")}), "response 201 removed"),
}


@pytest.mark.parametrize("kind", sorted(BREAKING))
def test_each_kind_of_breaking_change_is_reported(kind: str) -> None:
    edit, expected = BREAKING[kind]
    problems = changed(edit)
    assert any(expected in problem for problem in problems), problems


ADDITIVE: dict[str, Callable[[dict[str, Any]], None]] = {
    "nothing": lambda d: None,
    "a new path": lambda d: d["paths"].update({"/health": {"get": {"operationId": "getHealth",
                                                                   "responses": {"200": {"description": "ok"}}}}}),
    "a new operation": lambda d: d["paths"]["/gigs/{gig_id}"].update(
        patch={"operationId": "updateGig", "responses": {"200": {"description": "ok"}}}),
    "a new response field": lambda d: schema(d, "GigOut")["properties"].update(distance_km={"type": "number"}),
    "a new optional request field": lambda d: schema(d, "CreateGigRequest")["properties"].update(
        category={"type": "string"}),
    "a new optional query parameter": lambda d: d["paths"]["/gigs/{gig_id}"]["get"]["parameters"].append(
        {"name": "fields", "in": "query", "required": False, "schema": {"type": "string"}}),
    "a value added to a request enum": lambda d: schema(d, "CreateGigRequest")["properties"]["urgency"]["enum"]
    .append("urgent"),
    "a value removed from a response enum": lambda d: schema(d, "GigOut")["properties"]["status"]["enum"]
    .remove("cancelled"),
    "a request bound loosened": lambda d: schema(d, "CreateGigRequest")["properties"]["title"].update(maxLength=200),
    "a request field made optional": lambda d: schema(d, "CreateGigRequest")["required"].clear(),
    "a request field made nullable": lambda d: schema(d, "CreateGigRequest")["properties"].update(
        remote={"type": ["boolean", "null"]}),
    "a request integer widened to numbers": lambda d: schema(d, "CreateGigRequest")["properties"].update(
        estimated_days={"type": "number"}),
    "a new error status": lambda d: d["paths"]["/gigs"]["post"]["responses"].update({"429": {"description": "x"}}),
    "a description changed": lambda d: d["paths"]["/gigs"]["post"].update(description="Posts a gig."),
}


@pytest.mark.parametrize("kind", sorted(ADDITIVE))
def test_additive_changes_pass(kind: str) -> None:
    assert changed(ADDITIVE[kind]) == []


def test_the_document_breaks_no_client_of_the_released_one() -> None:
    released = json.loads(generator.RELEASED.read_text())
    assert breaking_changes(released, generator.build()) == []
