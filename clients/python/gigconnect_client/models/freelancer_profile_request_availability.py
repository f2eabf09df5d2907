from enum import StrEnum


class FreelancerProfileRequestAvailability(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"

    def __str__(self) -> str:
        return str(self.value)
