from enum import StrEnum


class InvoiceOutKind(StrEnum):
    FUNDING = "funding"
    REFUND = "refund"
    RELEASE = "release"

    def __str__(self) -> str:
        return str(self.value)
