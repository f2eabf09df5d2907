from enum import StrEnum


class MilestoneOutStatus(StrEnum):
    DISPUTED = "disputed"
    FUNDED = "funded"
    FUNDING = "funding"
    PENDING = "pending"
    REFUNDED = "refunded"
    RELEASED = "released"
    SUBMITTED = "submitted"

    def __str__(self) -> str:
        return str(self.value)
