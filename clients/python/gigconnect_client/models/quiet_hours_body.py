from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="QuietHoursBody")


@_attrs_define
class QuietHoursBody:
    """
    Attributes:
        start (str): HH:MM, 24-hour
        end (str): HH:MM, 24-hour
        tz (str): IANA time zone
    """

    start: str
    end: str
    tz: str

    def to_dict(self) -> dict[str, Any]:
        start = self.start

        end = self.end

        tz = self.tz

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start": start,
                "end": end,
                "tz": tz,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start = d.pop("start")

        end = d.pop("end")

        tz = d.pop("tz")

        quiet_hours_body = cls(
            start=start,
            end=end,
            tz=tz,
        )

        return quiet_hours_body
