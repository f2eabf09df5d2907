"""DynamoDB adapter of :class:`gigcore.ports.reviews.ReviewStore` (docs/data-model.md R1-R3).

- review: ``pk = CONTRACT#<contract_id>``, ``sk = REVIEW#<reviewer_id>`` (one per reviewer and contract);
- a user's reviews, newest first: gsi1 ``gsi1pk = REVIEWS#<reviewee_id>``, ``gsi1sk = <created_at>#<id>``;
- hidden reviews by when their window closes: gsi2 ``gsi2pk = REVIEW_DUE``, ``gsi2sk = <window_ends_at>#<contract
  id>#<reviewer id>``, present only while the review is hidden.

Revealing a review adds its rating to the reviewee's ``rating_sum``/``rating_count`` in the same transaction, and
raises the user item's ``version`` so that a profile save read before it fails its version check and is retried
on the new sums (never writing the old ones back).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from gigcore.adapters.dynamo_table import DynamoTable, TransactionRefused, number, text
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.errors import ConflictError
from gigcore.domain.reviews import Review
from gigcore.ports.reviews import ReviewPage

REVEAL_DUE_PK = "REVIEW_DUE"


def _key(contract_id: str, reviewer_id: str) -> dict[str, Any]:
    return {"pk": text(f"CONTRACT#{contract_id}"), "sk": text(f"REVIEW#{reviewer_id}")}


def review_item(r: Review) -> dict[str, Any]:
    item = _key(r.contract_id, r.reviewer_id) | {
        "kind": text("review"), "id": text(r.id), "contract_id": text(r.contract_id),
        "reviewer_id": text(r.reviewer_id), "reviewee_id": text(r.reviewee_id), "rating": number(r.rating),
        "comment": text(r.comment),
        "created_at": text(to_rfc3339(r.created_at)), "window_ends_at": text(to_rfc3339(r.window_ends_at)),
        "revealed": {"BOOL": r.revealed},
        "gsi1pk": text(f"REVIEWS#{r.reviewee_id}"), "gsi1sk": text(f"{to_rfc3339(r.created_at)}#{r.id}"),
    }
    if not r.revealed:
        item |= {"gsi2pk": text(REVEAL_DUE_PK),
                 "gsi2sk": text(f"{to_rfc3339(r.window_ends_at)}#{r.contract_id}#{r.reviewer_id}")}
    return item


def review_from(item: Mapping[str, Any]) -> Review:
    return Review(id=item["id"]["S"], contract_id=item["contract_id"]["S"], reviewer_id=item["reviewer_id"]["S"],
                  reviewee_id=item["reviewee_id"]["S"], rating=int(item["rating"]["N"]), comment=item["comment"]["S"],
                  created_at=parse_rfc3339(item["created_at"]["S"]),
                  window_ends_at=parse_rfc3339(item["window_ends_at"]["S"]), revealed=bool(item["revealed"]["BOOL"]))


class DynamoReviewStore(DynamoTable):
    def get(self, contract_id: str, reviewer_id: str) -> Review | None:
        item = self.item(f"CONTRACT#{contract_id}", f"REVIEW#{reviewer_id}")
        return review_from(item) if item else None

    def _reveal_writes(self, review: Review) -> list[dict[str, Any]]:
        """Mark a stored hidden review shown and count it, conditioned on it being hidden."""
        return [
            {"Update": {"TableName": self._table, "Key": _key(review.contract_id, review.reviewer_id),
                        "UpdateExpression": "SET revealed = :on REMOVE gsi2pk, gsi2sk",
                        "ConditionExpression": "revealed = :off",
                        "ExpressionAttributeValues": {":on": {"BOOL": True}, ":off": {"BOOL": False}}}},
            self._count(review),
        ]

    def _count(self, review: Review) -> dict[str, Any]:
        return {"Update": {"TableName": self._table, "Key": {"pk": text(f"USER#{review.reviewee_id}"),
                                                             "sk": text("PROFILE")},
                           "UpdateExpression": "ADD rating_sum :rating, rating_count :one, version :one",
                           "ConditionExpression": "attribute_exists(pk)",
                           "ExpressionAttributeValues": {":rating": number(review.rating), ":one": number(1)}}}

    def _write(self, items: list[dict[str, Any]]) -> bool:
        try:
            self.transact(items)
        except TransactionRefused as refused:
            if refused.condition_failed():
                return False
            raise refused.busy() from refused
        return True

    def add(self, review: Review, *, other: Review | None) -> None:
        absent = "attribute_not_exists(pk)"
        items: list[dict[str, Any]] = [{"Put": {"TableName": self._table, "Item": review_item(review),
                                                "ConditionExpression": absent}}]
        if other is None:
            contract_id, reviewee = review.contract_id, review.reviewee_id
            items.append({"ConditionCheck": {"TableName": self._table, "Key": _key(contract_id, reviewee),
                                             "ConditionExpression": absent}})
        else:
            items.append(self._count(review))
            if not other.revealed:
                items += self._reveal_writes(other)
        if not self._write(items):
            raise ConflictError("A review of this contract was written meanwhile; try again.")

    def visible_of(self, user_id: str, now: datetime, *, limit: int, after: dict[str, str] | None) -> ReviewPage:
        items, following = self.newest_first(
            limit, after, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
            FilterExpression="revealed = :on OR window_ends_at <= :now",
            ExpressionAttributeValues={":pk": text(f"REVIEWS#{user_id}"), ":on": {"BOOL": True},
                                       ":now": text(to_rfc3339(now))})
        return ReviewPage(reviews=[review_from(i) for i in items], after=following)

    def due_for_reveal(self, now: datetime, *, limit: int) -> list[Review]:
        answer = self.call("query", IndexName="gsi2", Limit=limit,
                           KeyConditionExpression="gsi2pk = :due AND gsi2sk <= :now",
                           ExpressionAttributeValues={":due": text(REVEAL_DUE_PK),
                                                      ":now": text(to_rfc3339(now) + "#~")})
        return [review_from(i) for i in answer.get("Items", [])]

    def reveal(self, review: Review) -> bool:
        return self._write(self._reveal_writes(review))
