from enum import StrEnum


class PreferencesBodyPerTypeAdditionalPropertyItem(StrEnum):
    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"

    def __str__(self) -> str:
        return str(self.value)
