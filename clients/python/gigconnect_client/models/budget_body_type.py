from enum import StrEnum


class BudgetBodyType(StrEnum):
    FIXED = "fixed"
    HOURLY = "hourly"

    def __str__(self) -> str:
        return str(self.value)
