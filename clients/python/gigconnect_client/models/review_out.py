from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReviewOut")


@_attrs_define
class ReviewOut:
    """
    Attributes:
        id (str):
        contract_id (str):
        reviewer_id (str):
        reviewee_id (str):
        rating (int):
        comment (str):
        created_at (datetime.datetime):
        visible (bool):
    """

    id: str
    contract_id: str
    reviewer_id: str
    reviewee_id: str
    rating: int
    comment: str
    created_at: datetime.datetime
    visible: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        reviewer_id = self.reviewer_id

        reviewee_id = self.reviewee_id

        rating = self.rating

        comment = self.comment

        created_at = self.created_at.isoformat()

        visible = self.visible

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "contract_id": contract_id,
                "reviewer_id": reviewer_id,
                "reviewee_id": reviewee_id,
                "rating": rating,
                "comment": comment,
                "created_at": created_at,
                "visible": visible,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        contract_id = d.pop("contract_id")

        reviewer_id = d.pop("reviewer_id")

        reviewee_id = d.pop("reviewee_id")

        rating = d.pop("rating")

        comment = d.pop("comment")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        visible = d.pop("visible")

        review_out = cls(
            id=id,
            contract_id=contract_id,
            reviewer_id=reviewer_id,
            reviewee_id=reviewee_id,
            rating=rating,
            comment=comment,
            created_at=created_at,
            visible=visible,
        )

        review_out.additional_properties = d
        return review_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
