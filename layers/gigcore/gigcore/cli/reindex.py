"""Rebuild the search index from DynamoDB (after a mapping change, a lost disk, or a new cluster).

    python -m gigcore.cli.reindex [gigs|freelancers|all] [--keep] [--batch 500]

The index is cleared first (unless ``--keep``), then every gig (open ones indexed, the rest written as
tombstones) and every user (listed freelancers indexed) is written with its stored version, so events still
in flight during the rebuild cannot bring back older data. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO, TypeVar

from gigcore import bootstrap
from gigcore.cli import use_local_stack
from gigcore.ports.search import FreelancerDoc, GigDoc, SearchIndex

T = TypeVar("T")


class Progress:
    """A one-line text progress bar: ``gigs [#####.....] 5,000/10,000  2,450 docs/s``."""

    def __init__(self, label: str, total: int | None, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.label, self.total, self.out, self.width = label, total, out, width
        self.done = 0
        self.start = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.done / max(time.monotonic() - self.start, 1e-9)
        if self.total:
            filled = min(self.width, self.width * self.done // self.total)
            bar = "#" * filled + "." * (self.width - filled)
            line = f"\r{self.label} [{bar}] {self.done:,}/{self.total:,}  {rate:,.0f} docs/s"
        else:
            line = f"\r{self.label} {self.done:,}  {rate:,.0f} docs/s"
        self.out.write(line)
        self.out.flush()

    def finish(self) -> None:
        self.out.write("\n")
        self.out.flush()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def items(kind: str) -> Iterator[dict[str, Any]]:
    """Every item of ``kind`` ("gig", "user") in the table, as DynamoDB's attribute maps (a Scan, page by page)."""
    pages = bootstrap.container().dynamodb.get_paginator("scan").paginate(
        TableName=bootstrap.settings().table_name, FilterExpression="#k = :k",
        ExpressionAttributeNames={"#k": "kind"}, ExpressionAttributeValues={":k": {"S": kind}})
    for page in pages:
        yield from page.get("Items", ())


def gig_docs() -> Iterator[GigDoc]:
    from gigcore.adapters.dynamo_gigs import from_attributes
    from gigcore.services.search import doc_of

    for item in items("gig"):
        yield doc_of(from_attributes(item))


def freelancer_docs() -> Iterator[FreelancerDoc]:
    from gigcore.adapters.dynamo_users import from_item
    from gigcore.services.search import freelancer_doc
    from gigcore.services.users import freelancer_search_event

    for item in items("user"):
        payload = freelancer_search_event(from_item(item)).payload
        yield freelancer_doc(str(payload["user_id"]), int(payload["version"]), bool(payload["listed"]),
                             payload.get("profile"))


def count(kind: str) -> int:
    """How many items the rebuild will read (a COUNT scan: keys only, no documents returned)."""
    client = bootstrap.container().dynamodb
    pages = client.get_paginator("scan").paginate(
        TableName=bootstrap.settings().table_name, Select="COUNT", FilterExpression="#k = :k",
        ExpressionAttributeNames={"#k": "kind"},
        ExpressionAttributeValues={":k": {"S": {"gigs": "gig", "freelancers": "user"}[kind]}})
    return sum(int(page["Count"]) for page in pages)


def reindex(kind: str, *, index: SearchIndex | None = None, keep: bool = False, batch: int = 500,
            docs: Callable[[], Iterable[Any]] | None = None, out: TextIO = sys.stderr) -> int:
    """Write every ``kind`` ("gigs"/"freelancers") document to the index; returns how many were applied."""
    target = index or bootstrap.container().search_index
    if not keep:
        target.clear("gigs" if kind == "gigs" else "freelancers")
    source = docs or (gig_docs if kind == "gigs" else freelancer_docs)
    put = target.put_gigs if kind == "gigs" else target.put_freelancers
    progress = Progress(kind, None if docs else count(kind), out=out)
    applied = 0
    for chunk in batched(source(), batch):
        applied += put(chunk)
        progress.advance(len(chunk))
    progress.finish()
    return applied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", nargs="?", choices=("gigs", "freelancers", "all"), default="all")
    parser.add_argument("--keep", action="store_true", help="do not clear the index first")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    use_local_stack()
    for kind in ("gigs", "freelancers") if args.kind == "all" else (args.kind,):
        applied = reindex(kind, keep=args.keep, batch=args.batch)
        print(f"{kind}: {applied} document(s) written to the search index")
    return 0


if __name__ == "__main__":
    sys.exit(main())
