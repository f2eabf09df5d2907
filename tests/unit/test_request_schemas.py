"""The request models are the whole of input validation, and /openapi.json says exactly what they enforce
(issue 16 items 6, 7, 14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from gigcore.schemas.common import ChargeMoneyBody, MoneyBody, QueryModel
from gigcore.schemas.gigs import CreateGigRequest, NearbyGigsParams
from gigcore.schemas.notifications import PreferencesBody, QuietHoursBody
from gigcore.schemas.openapi import RouteSpec, build_openapi, query_params
from gigcore.schemas.reviews import ReviewRequest
from gigcore.schemas.search import SearchFreelancersParams, SearchGigsParams


def test_whole_json_numbers_are_integers_and_others_are_not():
    assert ReviewRequest.model_validate({"rating": 4.0, "comment": "Good"}).rating == 4
    for rating in (4.5, "4", True):
        with pytest.raises(ValidationError):
            ReviewRequest.model_validate({"rating": rating, "comment": "Good"})


def test_a_quiet_hours_zone_is_a_name_of_the_time_zone_database():
    assert QuietHoursBody.model_validate({"start": "22:00", "end": "07:00", "tz": "Africa/Lagos"}).tz == "Africa/Lagos"
    for tz in ("A" * 800, "../../etc/passwd", "Mars/Olympus", ""):
        with pytest.raises(ValidationError):
            QuietHoursBody.model_validate({"start": "22:00", "end": "07:00", "tz": tz})


@pytest.mark.parametrize("deadline", ["2026-11-22", "2026-11-22T10:00:00", "2026-13-01T00:00:00Z",
                                      "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_deadline_is_an_rfc_3339_time_with_a_utc_equivalent(deadline):
    with pytest.raises(ValidationError):
        CreateGigRequest.model_validate({"title": "Paint a door", "description": "", "category": "paint",
                                         "skills": [], "remote": True, "urgency": "low", "deadline": deadline,
                                         "budget": {"min": {"amount": 5000, "currency": "NGN"},
                                                    "max": {"amount": 5000, "currency": "NGN"}, "type": "fixed"}})


@given(st.integers(min_value=10**8))
def test_no_amount_filter_beyond_the_largest_charge_passes(value):
    for model, name in ((SearchGigsParams, "budget_min"), (SearchFreelancersParams, "max_rate")):
        with pytest.raises(ValidationError):
            model.model_validate({name: str(value)})


def test_money_bodies_are_iso_4217_and_at_most_eight_digits():
    assert MoneyBody.model_validate({"amount": 99_999_999, "currency": "KWD"}).amount == 99_999_999
    for amount, currency in ((100_000_000, "NGN"), (5, "ZZZ"), (5, "XAU"), (5, "ngn")):
        with pytest.raises(ValidationError):
            MoneyBody.model_validate({"amount": amount, "currency": currency})
    with pytest.raises(ValidationError):
        ChargeMoneyBody.model_validate({"amount": 0, "currency": "NGN"})


def _schema_of(model: type[QueryModel]) -> dict:
    return {p.name: p.schema for p in query_params(model)}


def test_query_parameters_in_openapi_carry_the_bounds_that_validation_enforces():
    schema = _schema_of(NearbyGigsParams)
    assert schema["lat"] == {"type": "number", "minimum": -90, "maximum": 90}
    assert schema["radius_km"] == {"type": "number", "minimum": 0.1, "maximum": 100}
    assert schema["budget_min"] == {"type": "integer", "minimum": 0, "maximum": 99_999_999}
    assert schema["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert "NGN" in schema["currency"]["enum"] and "ZZZ" not in schema["currency"]["enum"]
    assert {p.name for p in query_params(NearbyGigsParams) if p.required} == {"lat", "lng", "radius_km"}


def test_openapi_links_lead_from_a_created_object_to_the_routes_that_take_its_id():
    routes = [
        RouteSpec(path="/gigs", method="POST", summary="create", request=CreateGigRequest, status=201,
                  provides=(("gig_id", "$response.body#/id"),)),
        RouteSpec(path="/gigs/{gig_id}", method="GET", summary="read"),
        RouteSpec(path="/gigs/{gig_id}/applications/{application_id}", method="GET", summary="not reachable"),
        RouteSpec(path="/me/notification-preferences", method="PUT", summary="prefs", request=PreferencesBody),
    ]
    doc = build_openapi(routes, title="t", version="1")
    links = doc["paths"]["/gigs"]["post"]["responses"]["201"]["links"]
    assert links == {"getGig": {"operationId": "getGig",
                                "parameters": {"gig_id": "$response.body#/id"}}}
    prefs = doc["components"]["schemas"]["PreferencesBody"]["properties"]["per_type"]
    assert "message.received" in prefs["propertyNames"]["enum"]
