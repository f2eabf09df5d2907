"""One tantivy index on disk: opened (or recreated for a new schema) lazily, one writer per batch.

tantivy allows one ``IndexWriter`` per index, held through a lock file. The writer is opened for one batch
(by the search-indexing consumer, or ``reindex``), committed and dropped, so whichever worker process runs
the next batch can take it; a worker that finds the lock busy waits, then reports the batch as retryable.
Readers reload on every search (a reload that finds no new commit costs ~20 us), so a commit is visible to
every API worker at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import tantivy
from aws_lambda_powertools import Logger

from gigcore.adapters.tantivy_search.documents import document_body
from gigcore.adapters.tantivy_search.rows import stored_id
from gigcore.adapters.tantivy_search.schema import SCHEMA_VERSION, SCHEMA_VERSION_FILE, TEXT, IndexKind
from gigcore.domain.errors import RetryableError, UpstreamUnavailableError
from gigcore.observability import SERVICE

logger = Logger(service=SERVICE, child=True)


class IndexStore:
    """The files of one kind's index under ``path``: opened lazily, one writer per batch, reloaded per search."""

    def __init__(self, kind: IndexKind, path: str, analyzer: tantivy.TextAnalyzer, *, heap_bytes: int,
                 threads: int, lock_wait_seconds: float) -> None:
        self.kind = kind
        self.schema = kind.schema
        self._path = path
        self._analyzer = analyzer
        self._heap = heap_bytes
        self._threads = threads
        self._lock_wait = lock_wait_seconds
        self._index: tantivy.Index | None = None
        self._opening = threading.Lock()

    def index(self) -> tantivy.Index:
        if self._index is None:
            with self._opening:
                if self._index is None:
                    self._index = self._open()
        return self._index

    def _open(self) -> tantivy.Index:
        try:
            os.makedirs(self._path, exist_ok=True)
            # One process at a time checks the schema version (and recreates an outdated index).
            with open(self._path + ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    self._drop_outdated()
                    index = self._open_or_create()
                    self._write_version()
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except (OSError, ValueError) as exc:
            raise UpstreamUnavailableError("The search index is unavailable.") from exc
        index.register_tokenizer(TEXT, self._analyzer)
        return index

    def _open_or_create(self) -> tantivy.Index:
        for attempt in range(20):
            try:
                return tantivy.Index(self.schema, path=self._path, reuse=True)
            except ValueError:
                if attempt == 19:  # another process is creating it at this very moment
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _version_file(self) -> str:
        return os.path.join(self._path, SCHEMA_VERSION_FILE)

    def _drop_outdated(self) -> None:
        """An index written with another schema cannot be opened with this one: it is emptied, to be reindexed."""
        if not os.path.exists(os.path.join(self._path, "meta.json")):
            return
        try:
            with open(self._version_file()) as f:
                found = f.read().strip()
        except FileNotFoundError:
            found = "1"  # the first schema had no version file
        if found == str(SCHEMA_VERSION):
            return
        logger.warning("The %s search index at %s has schema version %s, not %s: it is recreated empty; "
                       "run `python -m gigcore.cli.reindex %s` to fill it from the table.",
                       self.kind.name, self._path, found, SCHEMA_VERSION, self.kind.name)
        for entry in os.scandir(self._path):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.remove(entry.path)

    def _write_version(self) -> None:
        path = self._version_file()
        try:
            with open(path) as f:
                if f.read().strip() == str(SCHEMA_VERSION):
                    return
        except FileNotFoundError:
            pass
        with open(path + ".tmp", "w") as f:
            f.write(f"{SCHEMA_VERSION}\n")
        os.replace(path + ".tmp", path)

    def searcher(self) -> tantivy.Searcher:
        index = self.index()
        index.reload()
        return index.searcher()

    @contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
        """The index's one writer for a batch: committed and released at the end, rolled back on an error."""
        index = self.index()
        deadline = time.monotonic() + self._lock_wait
        while True:
            try:
                writer = index.writer(self._heap, self._threads)
                break
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise UpstreamUnavailableError("The search index is unavailable.") from exc
                if time.monotonic() > deadline:
                    raise RetryableError("The search index is busy; try again shortly.") from exc
                time.sleep(0.02)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases the lock
        index.reload()

    def versions(self, searcher: tantivy.Searcher, ids: Sequence[str]) -> dict[str, int]:
        """The indexed version of each of ``ids`` that the index holds (live or deleted)."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), 1024):
            chunk = list(ids[start:start + 1024])
            query = tantivy.Query.term_set_query(self.schema, "id", chunk)
            hits = searcher.search(query, len(chunk) * 2, count=False).hits
            addresses = [address for _, address in hits]
            values = searcher.fast_field_values("version", addresses)
            for address, version in zip(addresses, values, strict=True):
                doc_id = stored_id(searcher, address)
                found[doc_id] = max(int(version or 0), found.get(doc_id, 0))
        return found

    def put(self, docs: Sequence[tuple[str, int, dict[str, Any] | None]]) -> int:
        """Write ``(id, version, fields or None for a delete)``, skipping any not newer than what is indexed."""
        newest: dict[str, tuple[int, dict[str, Any] | None]] = {}
        for doc_id, version, fields in docs:
            if doc_id not in newest or version > newest[doc_id][0]:
                newest[doc_id] = (version, fields)
        if not newest:
            return 0
        applied = 0
        with self.writer() as writer:
            current = self.versions(self.searcher(), list(newest))
            for doc_id, (version, fields) in newest.items():
                if current.get(doc_id, 0) >= version:
                    continue
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(tantivy.Document.from_dict(document_body(doc_id, version, fields), self.schema))
                applied += 1
        return applied

    def clear(self) -> None:
        with self.writer() as writer:
            writer.delete_all_documents()
