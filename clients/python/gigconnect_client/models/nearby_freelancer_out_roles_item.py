from enum import StrEnum


class NearbyFreelancerOutRolesItem(StrEnum):
    CLIENT = "client"
    FREELANCER = "freelancer"

    def __str__(self) -> str:
        return str(self.value)
