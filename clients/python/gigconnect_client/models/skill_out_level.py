from enum import StrEnum


class SkillOutLevel(StrEnum):
    BEGINNER = "beginner"
    EXPERT = "expert"
    INTERMEDIATE = "intermediate"

    def __str__(self) -> str:
        return str(self.value)
