from enum import StrEnum


class UserOutRolesItem(StrEnum):
    ADMIN = "admin"
    CLIENT = "client"
    FREELANCER = "freelancer"

    def __str__(self) -> str:
        return str(self.value)
