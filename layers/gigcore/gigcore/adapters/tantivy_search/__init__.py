"""The embedded :class:`~gigcore.ports.search.SearchIndex`: tantivy on local disk (``docs/search.md``).

Two tantivy indexes under ``path``: ``gigs/`` and ``freelancers/``. Ranking is tantivy's BM25 over the same
fields and boosts as the OpenSearch adapter (title/headline x2, description/bio, skills), best field wins
(dis_max), with typo tolerance (fuzzy terms at OpenSearch's ``fuzziness: AUTO`` distances) and a prefix match
on the last word, both scored below an exact match. Filters are constant-score clauses; the geo filter is a
latitude/longitude box in the index, then the exact haversine distance.

Processes: tantivy allows one ``IndexWriter`` per index, held through a lock file. The writer is opened for
one batch (by the search-indexing consumer, or ``reindex``), committed and dropped, so whichever worker
process runs the next batch can take it; a worker that finds the lock busy waits, then reports the batch
as retryable. Readers reload on every search (a reload that finds no new commit costs ~20 us), so a commit
is visible to every API worker at once.

Ordering: every sort breaks ties by id, ascending. The id's order is kept in two u64 fast fields
(``id_hi``, ``id_lo``: :func:`id_key`, exact for ULIDs), read column-wise for all the rows tied at a page's
edge; the stored id is read only for the page itself and for rows whose keys are still equal (ids that are
not ULIDs). Schema changes bump :data:`SCHEMA_VERSION`: an index written with another schema is recreated
empty on open, and ``python -m gigcore.cli.reindex`` fills it again from the table.

The package, by what each module holds: ``schema`` (the two schemas, text analysis, the schema version),
``documents`` (the port's documents as fields), ``id_keys`` and ``cells`` (the id's order and the grid
cells as indexed values), ``queries`` (query building), ``store`` (the index on disk: lifecycle, writes),
``rows``, ``ordering`` and ``ranking`` (reading a page in (value, id) order), ``kind_index`` (one kind's
search) and ``index`` (the port's adapter).
"""

from gigcore.adapters.tantivy_search.cells import MAX_CELLS, cells_near, cells_of
from gigcore.adapters.tantivy_search.id_keys import id_key
from gigcore.adapters.tantivy_search.index import TantivySearchIndex
from gigcore.adapters.tantivy_search.schema import SCHEMA_VERSION, SCHEMA_VERSION_FILE

__all__ = ["MAX_CELLS", "SCHEMA_VERSION", "SCHEMA_VERSION_FILE", "TantivySearchIndex", "cells_near", "cells_of",
           "id_key"]
