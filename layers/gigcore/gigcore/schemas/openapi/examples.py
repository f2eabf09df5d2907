"""Example values of the document's bodies, made from the schemas (field names, formats, enums and bounds)."""

from __future__ import annotations

from typing import Any

ULID = "01JDQ8M3Z5W8K2ZC6Y4V7N1PXA"
#: Example values by field name, where the type alone would give a poor one.
_BY_NAME: dict[str, Any] = {
    "email": "ada.obi@example.com", "password": "correct horse battery", "new_password": "a new long passphrase",
    "name": "Ada Obi", "phone": "+2348012345678", "title": "Fix a leaking kitchen tap",
    "description": "The tap under the sink drips all night; parts can be bought on the way.",
    "category": "plumbing", "skills": ["plumbing"], "headline": "Plumber in Lekki, 10 years",
    "bio": "Repairs, fittings and new installations across Lagos Island.",
    "cover_letter": "I can come tomorrow morning with the parts.", "note": "Fixed and tested; photos attached.",
    "reason": "The work was not done.", "comment": "On time and tidy. Would hire again.", "body": "See you at 10?",
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMUpEUTgifQ.c2lnbmF0dXJl",
    "refresh_token": "01JDQ8M3Z5W8K2ZC6Y4V7N1PXB.rT9x2mW8qL4vN0pK",
    "token": "b3f1c9a0e2d84c7f9a6b5d4e3f2a1b0c",
    "payment_method_id": "pm_card_visa", "payment_intent_id": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d",
    "client_secret": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d_secret_4e5f6g", "account_id": "acct_1QJ1xK2eZvKYlo2C",
    "stripe_ref": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d", "client_msg_id": "4f1d2c3b-5a6e-4f70-8a9b-0c1d2e3f4a5b",
    "filename": "invoice.pdf", "content_type": "application/pdf", "size": 48213,
    "key": "attachments/01JDQ8M3Z5W8K2ZC6Y4V7N1PXA/invoice.pdf",
    "attachment_key": "attachments/01JDQ8M3Z5W8K2ZC6Y4V7N1PXA/invoice.pdf",
    "lat": 6.4541, "lng": 3.3947, "radius_km": 10, "distance_km": 2.35, "service_radius_km": 15,
    "estimated_days": 3, "expires_in": 900, "application_count": 2, "unread_count": 1, "rating": 5,
    "average": 4.8, "count": 12, "tz": "Africa/Lagos", "start": "22:00", "end": "07:00", "created": 1764835200,
    "platform": "android", "type": "fixed", "q": "plumber", "deadline": "2026-12-01T17:00:00Z",
    "portfolio_urls": ["https://example.com/portfolio/ada-obi"],
}
_MONEY = {"amount": 1500000, "currency": "NGN"}
_BY_FORMAT = {"date-time": "2026-11-22T10:00:00Z", "email": "ada.obi@example.com",
              "uri": "https://example.com/onboarding/acct_1QJ1xK2eZvKYlo2C"}


def example_of(schema: dict[str, Any], schemas: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """An example value of ``schema`` (references resolved in ``schemas``): the model's own example where it
    gives one, else one made from the field names, formats, enums and bounds. tests/unit/test_openapi_document.py
    checks each body's example against its schema and each request's against its model."""
    if depth > 12:
        return None
    target = schema.get("$ref")
    if isinstance(target, str):
        resolved = schemas[target.rsplit("/", 1)[-1]]
        return example_of(resolved | {k: v for k, v in schema.items() if k != "$ref"}, schemas, name, depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        values = schema["enum"]
        for preferred in (_BY_NAME.get(name), "NGN", "open"):
            if preferred in values:
                return preferred
        return values[0]
    for key in ("anyOf", "oneOf"):
        if key in schema and "type" not in schema:
            variants = [v for v in schema[key] if v.get("type") != "null"]
            if len(variants) < len(schema[key]) and name.endswith("_at") and name not in _BY_NAME:
                return None  # a moment that has not happened yet (funded_at of a pending milestone)
            if variants:
                return example_of(variants[0], schemas, name, depth + 1)
            return None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties: dict[str, Any] = schema.get("properties", {})
        if set(properties) == {"amount", "currency"}:
            return dict(_MONEY)
        return {key: example_of(prop, schemas, key, depth + 1) for key, prop in properties.items()}
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, name.removesuffix("s"), depth + 1)
        if isinstance(_BY_NAME.get(name), list) and all(isinstance(v, str) for v in [item, *_BY_NAME[name]]):
            return list(_BY_NAME[name])
        return [item] if schema.get("maxItems", 1) >= 1 else []
    if kind == "string":
        if name in _BY_NAME and isinstance(_BY_NAME[name], str):
            return _BY_NAME[name]
        if schema.get("format") in _BY_FORMAT:
            return _BY_FORMAT[schema["format"]]
        if name.endswith("_at") or str(schema.get("pattern", "")).startswith("^[0-9]{4}-"):
            return _BY_FORMAT["date-time"]
        if name == "id" or name.endswith("_id") or name.endswith("_by"):
            return ULID
        if name.endswith("_ids") or name.endswith("_id"):
            return ULID
        if "default" in schema and isinstance(schema["default"], str):
            return schema["default"]
        text = "Lagos" if name else "text"
        return text.ljust(int(schema.get("minLength", 0)), "x")
    if kind in {"integer", "number"}:
        value = _BY_NAME.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            value = schema.get("default", 1)
        low = schema.get("minimum", schema.get("exclusiveMinimum", value))
        high = schema.get("maximum", value)
        value = min(max(value, low if "minimum" in schema else value), high)
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            value = schema["exclusiveMinimum"] + 1
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return bool(schema.get("default", True))
    if kind == "null":
        return None
    return _BY_NAME.get(name, "value")
