from enum import StrEnum


class ContractOutStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    DISPUTED = "disputed"

    def __str__(self) -> str:
        return str(self.value)
