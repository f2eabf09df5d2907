from enum import StrEnum


class SearchFreelancersAvailability(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"

    def __str__(self) -> str:
        return str(self.value)
