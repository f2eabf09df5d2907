"""What is indexed of a gig or a freelancer: the port's documents as tantivy fields."""

from __future__ import annotations

from typing import Any

from gigcore.adapters.tantivy_search.cells import cells_of
from gigcore.adapters.tantivy_search.id_keys import id_key_fields
from gigcore.adapters.tantivy_search.schema import GONE, NO_DEADLINE, OPEN
from gigcore.ports.search import FreelancerDoc, GeoPoint, GigDoc


def _place_fields(point: GeoPoint | None) -> dict[str, Any]:
    if point is None:
        return {}
    return {"lat": point.lat, "lng": point.lng, "cell": cells_of(point)}


def gig_fields(doc: GigDoc) -> dict[str, Any] | None:
    """The indexed fields of a gig, or None when it is not open (to be deleted from the index)."""
    if not doc.open:
        return None
    return {"title": doc.title, "description": doc.description, "skills": " ".join(doc.skills),
            "skill": [s.lower() for s in doc.skills], "category": doc.category.lower(), "budget_min": doc.budget_min,
            "budget_max": doc.budget_max, "currency": doc.currency, "created": doc.created_ms,
            "deadline": NO_DEADLINE if doc.deadline_ms is None else doc.deadline_ms} | _place_fields(doc.location)


def freelancer_fields(doc: FreelancerDoc) -> dict[str, Any] | None:
    """The indexed fields of a freelancer, or None when not listed (to be deleted from the index)."""
    if not doc.listed:
        return None
    return {"headline": doc.headline, "bio": doc.bio, "skills": " ".join(doc.skills),
            "skill": [s.lower() for s in doc.skills], "rate": doc.hourly_rate, "currency": doc.currency,
            "availability": doc.availability, "rating": float(doc.rating)} | _place_fields(doc.location)


def document_body(doc_id: str, version: int, fields: dict[str, Any] | None) -> dict[str, Any]:
    """The document written for ``(id, version, fields)``: a delete stays as a tombstone with its version, so
    an older write that arrives late is refused."""
    body = ({"id": doc_id, "version": version, "state": GONE} if fields is None else (
        fields | {"id": doc_id, "version": version, "state": OPEN}))
    return body | id_key_fields(doc_id)
