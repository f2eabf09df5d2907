from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReviewRequest")


@_attrs_define
class ReviewRequest:
    """
    Attributes:
        rating (int):
        comment (str):
    """

    rating: int
    comment: str

    def to_dict(self) -> dict[str, Any]:
        rating = self.rating

        comment = self.comment

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rating": rating,
                "comment": comment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rating = d.pop("rating")

        comment = d.pop("comment")

        review_request = cls(
            rating=rating,
            comment=comment,
        )

        return review_request
