from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preferences_out_channels import PreferencesOutChannels
    from ..models.preferences_out_per_type import PreferencesOutPerType
    from ..models.preferences_out_quiet_hours_type_0 import (
        PreferencesOutQuietHoursType0,
    )


T = TypeVar("T", bound="PreferencesOut")


@_attrs_define
class PreferencesOut:
    """
    Attributes:
        channels (PreferencesOutChannels):
        per_type (PreferencesOutPerType):
        quiet_hours (None | PreferencesOutQuietHoursType0):
    """

    channels: PreferencesOutChannels
    per_type: PreferencesOutPerType
    quiet_hours: None | PreferencesOutQuietHoursType0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.preferences_out_quiet_hours_type_0 import (
            PreferencesOutQuietHoursType0,
        )

        channels = self.channels.to_dict()

        per_type = self.per_type.to_dict()

        quiet_hours: dict[str, Any] | None
        if isinstance(self.quiet_hours, PreferencesOutQuietHoursType0):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channels": channels,
                "per_type": per_type,
                "quiet_hours": quiet_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.preferences_out_channels import PreferencesOutChannels
        from ..models.preferences_out_per_type import PreferencesOutPerType
        from ..models.preferences_out_quiet_hours_type_0 import (
            PreferencesOutQuietHoursType0,
        )

        d = dict(src_dict)
        channels = PreferencesOutChannels.from_dict(d.pop("channels"))

        per_type = PreferencesOutPerType.from_dict(d.pop("per_type"))

        def _parse_quiet_hours(data: object) -> None | PreferencesOutQuietHoursType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_0 = PreferencesOutQuietHoursType0.from_dict(data)

                return quiet_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PreferencesOutQuietHoursType0, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours"))

        preferences_out = cls(
            channels=channels,
            per_type=per_type,
            quiet_hours=quiet_hours,
        )

        preferences_out.additional_properties = d
        return preferences_out

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
