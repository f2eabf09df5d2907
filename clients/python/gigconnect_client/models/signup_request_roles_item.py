from enum import StrEnum


class SignupRequestRolesItem(StrEnum):
    CLIENT = "client"
    FREELANCER = "freelancer"

    def __str__(self) -> str:
        return str(self.value)
