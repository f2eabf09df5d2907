from enum import StrEnum


class PatchMeRequestRolesItem(StrEnum):
    CLIENT = "client"
    FREELANCER = "freelancer"

    def __str__(self) -> str:
        return str(self.value)
