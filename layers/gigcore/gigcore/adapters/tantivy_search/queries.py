"""The queries of one index: OpenSearch's ``multi_match`` rebuilt on tantivy, terms, ranges and the geo filter."""

from __future__ import annotations

from typing import Any

import tantivy

from gigcore.adapters.tantivy_search.cells import cells_near
from gigcore.adapters.tantivy_search.id_keys import id_key_halves
from gigcore.adapters.tantivy_search.schema import IndexKind
from gigcore.domain import geo
from gigcore.ports.search import GeoPoint

#: Score of a typo-tolerant or prefix match, as a share of the field's boost (an exact match scores BM25).
FUZZY_WEIGHT = 0.3
PREFIX_WEIGHT = 0.4
Occur = tantivy.Occur
#: The parts of a boolean query.
Clauses = list[tuple[tantivy.Occur, tantivy.Query]]


def fuzziness(token: str) -> int:
    """OpenSearch's ``fuzziness: AUTO``: 0 edits up to 2 characters, 1 up to 5, then 2."""
    return 0 if len(token) <= 2 else 1 if len(token) <= 5 else 2


def filtering(query: tantivy.Query) -> tantivy.Query:
    """``query`` as a filter: it must match and adds nothing to the score."""
    return tantivy.Query.const_score_query(query, 0.0)


class QueryBuilder:
    """Builds the queries of one kind's index (its schema, text fields and analyzer)."""

    def __init__(self, kind: IndexKind, analyzer: tantivy.TextAnalyzer) -> None:
        self.kind = kind
        self.schema = kind.schema
        self.analyzer = analyzer

    def text(self, text: str) -> tantivy.Query | None:
        """OpenSearch's ``multi_match`` (best_fields, operator or, fuzziness AUTO), or None for no text."""
        tokens = self.analyzer.analyze(text)
        if not tokens:
            return None
        per_field = []
        for field_name, boost in self.kind.text_fields:
            clauses: Clauses = []
            for position, token in enumerate(tokens):
                clauses.append((Occur.Should, tantivy.Query.term_query(self.schema, field_name, token)))
                edits = fuzziness(token)
                if edits:
                    fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field_name, token, distance=edits)
                    clauses.append((Occur.Should, tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT)))
                if position == len(tokens) - 1 and len(token) >= 3:
                    prefix = tantivy.Query.fuzzy_term_query(self.schema, field_name, token, distance=0, prefix=True)
                    clauses.append((Occur.Should, tantivy.Query.boost_query(prefix, PREFIX_WEIGHT)))
            per_field.append(tantivy.Query.boost_query(tantivy.Query.boolean_query(clauses), boost))
        return tantivy.Query.disjunction_max_query(per_field)

    def term(self, field_name: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field_name, value)

    def terms(self, field_name: str, values: list[str]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, field_name, values)

    def range(self, field_name: str, kind: tantivy.FieldType, lo: Any = None, hi: Any = None,
              include_lower: bool = True) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field_name, kind, lo, hi, include_lower=include_lower)

    def near(self, point: GeoPoint, radius_km: float) -> tantivy.Query:
        """The documents in the grid cells that cover the disc (then filtered on the exact distance).

        A term set on indexed cells costs far less than range scans of the latitude and longitude columns;
        those remain for a disc too wide for :data:`~.cells.MAX_CELLS` cells of the coarsest grid.
        """
        cells = cells_near(point, radius_km)
        if cells is None:
            return self.boxes(point, radius_km)
        return self.terms("cell", cells)

    def boxes(self, point: GeoPoint, radius_km: float) -> tantivy.Query:
        boxes = []
        for box in geo.disc_box(point.lat, point.lng, radius_km):
            boxes.append(tantivy.Query.boolean_query([
                (Occur.Must, self.range("lat", tantivy.FieldType.Float, box.lat_lo, box.lat_hi)),
                (Occur.Must, self.range("lng", tantivy.FieldType.Float, box.lng_lo, box.lng_hi)),
            ]))
        return boxes[0] if len(boxes) == 1 else tantivy.Query.boolean_query([(Occur.Should, b) for b in boxes])

    def id_key_at_most(self, key: int) -> tantivy.Query:
        """Documents whose id key (:func:`~.id_keys.id_key`) is at most ``key``."""
        unsigned = tantivy.FieldType.Unsigned
        high, low = id_key_halves(key)
        same_high = tantivy.Query.boolean_query([(Occur.Must, self.range("id_hi", unsigned, high, high)),
                                                 (Occur.Must, self.range("id_lo", unsigned, None, low))])
        if high == 0:
            return same_high
        return tantivy.Query.boolean_query([(Occur.Should, self.range("id_hi", unsigned, None, high - 1)),
                                            (Occur.Should, same_high)])
