from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_out_roles_item import UserOutRolesItem

if TYPE_CHECKING:
    from ..models.location_out import LocationOut


T = TypeVar("T", bound="UserOut")


@_attrs_define
class UserOut:
    """The signed-in user's own account, with the email and phone only its owner sees.

    Attributes:
        id (str):
        email (str):
        name (str):
        roles (list[UserOutRolesItem]):
        phone (None | str):
        location (LocationOut | None):
        email_verified (bool):
        created_at (datetime.datetime):
    """

    id: str
    email: str
    name: str
    roles: list[UserOutRolesItem]
    phone: None | str
    location: LocationOut | None
    email_verified: bool
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_out import LocationOut

        id = self.id

        email = self.email

        name = self.name

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.value
            roles.append(roles_item)

        phone: None | str
        phone = self.phone

        location: dict[str, Any] | None
        if isinstance(self.location, LocationOut):
            location = self.location.to_dict()
        else:
            location = self.location

        email_verified = self.email_verified

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "name": name,
                "roles": roles,
                "phone": phone,
                "location": location,
                "email_verified": email_verified,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_out import LocationOut

        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        name = d.pop("name")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = UserOutRolesItem(roles_item_data)

            roles.append(roles_item)

        def _parse_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone = _parse_phone(d.pop("phone"))

        def _parse_location(data: object) -> LocationOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                location_type_0 = LocationOut.from_dict(data)

                return location_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LocationOut | None, data)

        location = _parse_location(d.pop("location"))

        email_verified = d.pop("email_verified")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        user_out = cls(
            id=id,
            email=email,
            name=name,
            roles=roles,
            phone=phone,
            location=location,
            email_verified=email_verified,
            created_at=created_at,
        )

        user_out.additional_properties = d
        return user_out

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
