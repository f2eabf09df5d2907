from enum import StrEnum


class DeviceRequestPlatform(StrEnum):
    ANDROID = "android"
    IOS = "ios"

    def __str__(self) -> str:
        return str(self.value)
