"""The two indexes' schemas, their text analysis and the schema version written beside them."""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

#: The name the text analyzer is registered under on every index.
TEXT = "gc_text"
#: The schema the adapter writes; an index on disk written with another one is recreated (docs/search.md).
#: 1: the first schema; 2: ``id_hi``/``id_lo`` (the id's order as fast fields) and ``cell`` (grid cells);
#: 3: a gig's ``deadline`` (a fast field, :data:`NO_DEADLINE` when it has none).
SCHEMA_VERSION = 3
SCHEMA_VERSION_FILE = "gigconnect-schema-version"
#: A document's ``state``: live, or a tombstone that keeps a deleted document's version.
OPEN = "open"
GONE = "gone"
#: A gig's ``deadline`` when it has none (the largest i64, after every moment). A value in every document
#: keeps the column dense, which the exclusion of past deadlines reads faster than an optional one.
NO_DEADLINE = (1 << 63) - 1


def analyzer() -> tantivy.TextAnalyzer:
    """English text: words, lower case, accents folded, stop words dropped, stemmed (as OpenSearch's english)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english"))
            .build())


@dataclass(frozen=True)
class IndexKind:
    """One kind of document (gigs, freelancers): its index's name, schema and ranked text fields."""

    name: str
    #: Text fields and their boosts, as the OpenSearch multi_match has them.
    text_fields: tuple[tuple[str, float], ...]
    schema: tantivy.Schema


def _add_id_key(builder: tantivy.SchemaBuilder) -> None:
    """The id's order, column-wise (:func:`~.id_keys.id_key`): what breaks ties without reading stored documents."""
    builder.add_unsigned_field("id_hi", fast=True)
    builder.add_unsigned_field("id_lo", fast=True)


def _add_place(builder: tantivy.SchemaBuilder) -> None:
    """Where a document is: its grid cells (a radius filter is a set of cells) and its exact point."""
    builder.add_text_field("cell", tokenizer_name="raw", index_option="basic")  # cells.cells_of
    builder.add_float_field("lat", fast=True)
    builder.add_float_field("lng", fast=True)


def _common_fields(text_fields: tuple[str, ...]) -> tantivy.SchemaBuilder:
    """A schema's first fields, the same in both: the id, its key, the version, the state and the ranked text.

    The order of the fields is part of the schema on disk: a change to it is a new :data:`SCHEMA_VERSION`.
    """
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    _add_id_key(builder)
    builder.add_integer_field("version", stored=True, fast=True)
    builder.add_text_field("state", tokenizer_name="raw")
    for name in text_fields:
        builder.add_text_field(name, tokenizer_name=TEXT)
    return builder


def _gig_schema() -> tantivy.Schema:
    builder = _common_fields(("title", "description", "skills"))
    builder.add_text_field("category", tokenizer_name="raw")
    builder.add_text_field("skill", tokenizer_name="raw")
    _add_place(builder)
    builder.add_integer_field("budget_min", fast=True)
    builder.add_integer_field("budget_max", fast=True)
    builder.add_text_field("currency", tokenizer_name="raw")
    builder.add_integer_field("created", fast=True)
    builder.add_integer_field("deadline", fast=True)  # ms since the epoch, rounded up; NO_DEADLINE if none
    return builder.build()


def _freelancer_schema() -> tantivy.Schema:
    builder = _common_fields(("headline", "bio", "skills"))
    builder.add_text_field("skill", tokenizer_name="raw")
    _add_place(builder)
    builder.add_integer_field("rate", fast=True)
    builder.add_text_field("currency", tokenizer_name="raw")
    builder.add_text_field("availability", tokenizer_name="raw")
    builder.add_float_field("rating", fast=True)
    return builder.build()


GIGS = IndexKind("gigs", (("title", 2.0), ("description", 1.0), ("skills", 1.0)), _gig_schema())
FREELANCERS = IndexKind("freelancers", (("headline", 2.0), ("bio", 1.0), ("skills", 1.0)), _freelancer_schema())


def fast_field_type(name: str) -> tantivy.FieldType:
    """The type of a numeric fast field of either schema (a range on it must say it)."""
    return tantivy.FieldType.Float if name in ("rating", "lat", "lng") else tantivy.FieldType.Integer


def typed_value(name: str, value: float) -> float | int:
    """``value`` as the fast field ``name`` holds it."""
    return float(value) if fast_field_type(name) == tantivy.FieldType.Float else int(value)
