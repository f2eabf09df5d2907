from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.skill_body_level import SkillBodyLevel

T = TypeVar("T", bound="SkillBody")


@_attrs_define
class SkillBody:
    """
    Attributes:
        name (str):
        level (SkillBodyLevel):
    """

    name: str
    level: SkillBodyLevel

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        level = self.level.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "level": level,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        level = SkillBodyLevel(d.pop("level"))

        skill_body = cls(
            name=name,
            level=level,
        )

        return skill_body
