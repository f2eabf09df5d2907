from enum import StrEnum


class ApplicationOutStatus(StrEnum):
    ACCEPTED = "accepted"
    PENDING = "pending"
    REJECTED = "rejected"
    SHORTLISTED = "shortlisted"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
