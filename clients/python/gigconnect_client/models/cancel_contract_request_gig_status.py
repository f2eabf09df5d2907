from enum import StrEnum


class CancelContractRequestGigStatus(StrEnum):
    CANCELLED = "cancelled"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
