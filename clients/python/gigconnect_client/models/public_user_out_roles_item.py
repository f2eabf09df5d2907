from enum import StrEnum


class PublicUserOutRolesItem(StrEnum):
    CLIENT = "client"
    FREELANCER = "freelancer"

    def __str__(self) -> str:
        return str(self.value)
