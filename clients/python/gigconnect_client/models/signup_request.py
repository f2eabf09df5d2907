from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.signup_request_roles_item import SignupRequestRolesItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.location_body import LocationBody


T = TypeVar("T", bound="SignupRequest")


@_attrs_define
class SignupRequest:
    """
    Attributes:
        email (str): An email address
        password (str):
        name (str):
        roles (list[SignupRequestRolesItem]):
        phone (None | str | Unset):
        location (LocationBody | None | Unset):
    """

    email: str
    password: str
    name: str
    roles: list[SignupRequestRolesItem]
    phone: None | str | Unset = UNSET
    location: LocationBody | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.location_body import LocationBody

        email = self.email

        password = self.password

        name = self.name

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.value
            roles.append(roles_item)

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "name": name,
                "roles": roles,
            }
        )
        if phone is not UNSET:
            field_dict["phone"] = phone
        if location is not UNSET:
            field_dict["location"] = location

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.location_body import LocationBody

        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        name = d.pop("name")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = SignupRequestRolesItem(roles_item_data)

            roles.append(roles_item)

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

        signup_request = cls(
            email=email,
            password=password,
            name=name,
            roles=roles,
            phone=phone,
            location=location,
        )

        return signup_request
