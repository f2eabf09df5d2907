"""The embedded index on disk across schema changes: an index written with an older schema is recreated
empty (then ``reindex`` fills it), and one written with the current schema is opened as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy

from gigcore.adapters.tantivy_search import SCHEMA_VERSION, SCHEMA_VERSION_FILE, TantivySearchIndex
from gigcore.ports.search import GeoPoint, GigDoc, GigSearch

pytestmark = pytest.mark.integration

ID = "01JE0000000000000000000001"


def a_gig(doc_id: str = ID, title: str = "Plumber for a kitchen sink") -> GigDoc:
    return GigDoc(id=doc_id, version=1, open=True, title=title, category="home", location=GeoPoint(6.5, 3.4),
                  budget_min=1_000, budget_max=2_000, currency="NGN", created_ms=1)


def write_first_schema_index(folder: Path) -> None:
    """What the first schema left on disk: no id keys, no cells, no version file."""
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("version", stored=True, indexed=True, fast=True)
    b.add_text_field("state", tokenizer_name="raw")
    b.add_text_field("title")
    schema = b.build()
    folder.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(15_000_000, 1)
    writer.add_document(tantivy.Document.from_dict({"id": ID, "version": 1, "state": "open", "title": "Old"},
                                                   schema))
    writer.commit()
    writer.wait_merging_threads()


def test_an_index_of_an_older_schema_is_recreated_empty_and_can_be_refilled(tmp_path: Path) -> None:
    write_first_schema_index(tmp_path / "search" / "gigs")
    index = TantivySearchIndex(str(tmp_path / "search"))
    assert index.search_gigs(GigSearch()).hits == []  # opened, emptied: the old documents are not there
    assert (tmp_path / "search" / "gigs" / SCHEMA_VERSION_FILE).read_text().strip() == str(SCHEMA_VERSION)
    assert index.put_gigs([a_gig()]) == 1  # what reindex does, gig by gig
    assert [h.id for h in index.search_gigs(GigSearch(text="plumber")).hits] == [ID]


def test_an_index_of_schema_2_without_deadlines_is_recreated_and_then_filters_on_them(tmp_path: Path) -> None:
    # Schema 2 had no ``deadline`` field: tantivy cannot open it with schema 3 ("the schema does not match").
    folder = tmp_path / "search" / "gigs"
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("created", fast=True)
    schema = b.build()
    folder.mkdir(parents=True)
    old = tantivy.Index(schema, path=str(folder))
    writer = old.writer(15_000_000, 1)
    writer.add_document(tantivy.Document.from_dict({"id": ID, "created": 1}, schema))
    writer.commit()
    writer.wait_merging_threads()
    (folder / SCHEMA_VERSION_FILE).write_text("2\n")

    index = TantivySearchIndex(str(tmp_path / "search"))
    assert index.search_gigs(GigSearch()).hits == []
    assert (folder / SCHEMA_VERSION_FILE).read_text().strip() == str(SCHEMA_VERSION) == "3"
    ending = "01JE0000000000000000000002"
    index.put_gigs([a_gig(), GigDoc(id=ending, version=1, open=True, title="Plumber for a bath", deadline_ms=10)])
    assert [h.id for h in index.search_gigs(GigSearch(text="plumber", now_ms=10)).hits] == [ID]


def test_an_index_of_the_current_schema_is_kept(tmp_path: Path) -> None:
    TantivySearchIndex(str(tmp_path / "search")).put_gigs([a_gig()])
    again = TantivySearchIndex(str(tmp_path / "search"))
    assert [h.id for h in again.search_gigs(GigSearch(text="plumber")).hits] == [ID]
    assert again.put_gigs([a_gig()]) == 0  # its versions are there too
