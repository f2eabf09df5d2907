from enum import StrEnum


class BudgetOutType(StrEnum):
    FIXED = "fixed"
    HOURLY = "hourly"

    def __str__(self) -> str:
        return str(self.value)
