from enum import StrEnum


class ListNearbyFreelancersAvailability(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"

    def __str__(self) -> str:
        return str(self.value)
