from enum import StrEnum


class FreelancerProfileOutAvailability(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"

    def __str__(self) -> str:
        return str(self.value)
