from enum import StrEnum


class SkillBodyLevel(StrEnum):
    BEGINNER = "beginner"
    EXPERT = "expert"
    INTERMEDIATE = "intermediate"

    def __str__(self) -> str:
        return str(self.value)
