from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.dependencies_dynamodb import DependenciesDynamodb
from ..models.dependencies_payments import DependenciesPayments
from ..models.dependencies_queue import DependenciesQueue
from ..models.dependencies_search import DependenciesSearch

T = TypeVar("T", bound="Dependencies")


@_attrs_define
class Dependencies:
    """
    Attributes:
        dynamodb (DependenciesDynamodb):
        queue (DependenciesQueue):
        search (DependenciesSearch):
        payments (DependenciesPayments):
    """

    dynamodb: DependenciesDynamodb
    queue: DependenciesQueue
    search: DependenciesSearch
    payments: DependenciesPayments
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dynamodb = self.dynamodb.value

        queue = self.queue.value

        search = self.search.value

        payments = self.payments.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dynamodb": dynamodb,
                "queue": queue,
                "search": search,
                "payments": payments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dynamodb = DependenciesDynamodb(d.pop("dynamodb"))

        queue = DependenciesQueue(d.pop("queue"))

        search = DependenciesSearch(d.pop("search"))

        payments = DependenciesPayments(d.pop("payments"))

        dependencies = cls(
            dynamodb=dynamodb,
            queue=queue,
            search=search,
            payments=payments,
        )

        dependencies.additional_properties = d
        return dependencies

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
