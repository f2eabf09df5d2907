from enum import StrEnum


class LedgerEntryOutKind(StrEnum):
    FEE = "fee"
    FEE_REVERSAL = "fee_reversal"
    FUNDING = "funding"
    REFUND = "refund"
    RELEASE = "release"
    REVERSAL = "reversal"

    def __str__(self) -> str:
        return str(self.value)
