from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.health_response_status import HealthResponseStatus

if TYPE_CHECKING:
    from ..models.dependencies import Dependencies


T = TypeVar("T", bound="HealthResponse")


@_attrs_define
class HealthResponse:
    """200 when every dependency is ok; 503 with the same shape when one is down.

    Attributes:
        status (HealthResponseStatus):
        dependencies (Dependencies):
    """

    status: HealthResponseStatus
    dependencies: Dependencies
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        dependencies = self.dependencies.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "dependencies": dependencies,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dependencies import Dependencies

        d = dict(src_dict)
        status = HealthResponseStatus(d.pop("status"))

        dependencies = Dependencies.from_dict(d.pop("dependencies"))

        health_response = cls(
            status=status,
            dependencies=dependencies,
        )

        health_response.additional_properties = d
        return health_response

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
