from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.channels_body import ChannelsBody
    from ..models.preferences_body_per_type import PreferencesBodyPerType
    from ..models.quiet_hours_body import QuietHoursBody


T = TypeVar("T", bound="PreferencesBody")


@_attrs_define
class PreferencesBody:
    """
    Attributes:
        channels (ChannelsBody):
        per_type (PreferencesBodyPerType | Unset):
        quiet_hours (None | QuietHoursBody | Unset):
    """

    channels: ChannelsBody
    per_type: PreferencesBodyPerType | Unset = UNSET
    quiet_hours: None | QuietHoursBody | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.quiet_hours_body import QuietHoursBody

        channels = self.channels.to_dict()

        per_type: dict[str, Any] | Unset = UNSET
        if not isinstance(self.per_type, Unset):
            per_type = self.per_type.to_dict()

        quiet_hours: dict[str, Any] | None | Unset
        if isinstance(self.quiet_hours, Unset):
            quiet_hours = UNSET
        elif isinstance(self.quiet_hours, QuietHoursBody):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channels": channels,
            }
        )
        if per_type is not UNSET:
            field_dict["per_type"] = per_type
        if quiet_hours is not UNSET:
            field_dict["quiet_hours"] = quiet_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.channels_body import ChannelsBody
        from ..models.preferences_body_per_type import PreferencesBodyPerType
        from ..models.quiet_hours_body import QuietHoursBody

        d = dict(src_dict)
        channels = ChannelsBody.from_dict(d.pop("channels"))

        _per_type = d.pop("per_type", UNSET)
        per_type: PreferencesBodyPerType | Unset
        if isinstance(_per_type, Unset):
            per_type = UNSET
        else:
            per_type = PreferencesBodyPerType.from_dict(_per_type)

        def _parse_quiet_hours(data: object) -> None | QuietHoursBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_0 = QuietHoursBody.from_dict(data)

                return quiet_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuietHoursBody | Unset, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours", UNSET))

        preferences_body = cls(
            channels=channels,
            per_type=per_type,
            quiet_hours=quiet_hours,
        )

        return preferences_body
