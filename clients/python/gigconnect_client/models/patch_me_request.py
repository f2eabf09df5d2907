from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.patch_me_request_roles_item import PatchMeRequestRolesItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.location_body import LocationBody


T = TypeVar("T", bound="PatchMeRequest")


@_attrs_define
class PatchMeRequest:
    """Any of the fields; phone and location may be set to null to remove them. A PATCH must name at least one field (the
    route refuses an empty one).

        Attributes:
            name (str | Unset):
            phone (None | str | Unset):
            location (LocationBody | None | Unset):
            roles (list[PatchMeRequestRolesItem] | Unset):
    """

    name: str | Unset = UNSET
    phone: None | str | Unset = UNSET
    location: LocationBody | None | Unset = UNSET
    roles: list[PatchMeRequestRolesItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_body import LocationBody

        name = self.name

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        location: dict[str, Any] | None | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        elif isinstance(self.location, LocationBody):
            location = self.location.to_dict()
        else:
            location = self.location

        roles: list[str] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = []
            for roles_item_data in self.roles:
                roles_item = roles_item_data.value
                roles.append(roles_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if location is not UNSET:
            field_dict["location"] = location
        if roles is not UNSET:
            field_dict["roles"] = roles

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_body import LocationBody

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_location(data: object) -> LocationBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                location_type_0 = LocationBody.from_dict(data)

                return location_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LocationBody | None | Unset, data)

        location = _parse_location(d.pop("location", UNSET))

        _roles = d.pop("roles", UNSET)
        roles: list[PatchMeRequestRolesItem] | Unset = UNSET
        if _roles is not UNSET:
            roles = []
            for roles_item_data in _roles:
                roles_item = PatchMeRequestRolesItem(roles_item_data)

                roles.append(roles_item)

        patch_me_request = cls(
            name=name,
            phone=phone,
            location=location,
            roles=roles,
        )

        return patch_me_request
