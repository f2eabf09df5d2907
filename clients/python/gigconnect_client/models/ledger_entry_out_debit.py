from enum import StrEnum


class LedgerEntryOutDebit(StrEnum):
    CLIENT_FUNDING = "client_funding"
    ESCROW_HELD = "escrow_held"
    FREELANCER_PAYABLE = "freelancer_payable"
    PLATFORM_FEES = "platform_fees"
    REFUNDS = "refunds"

    def __str__(self) -> str:
        return str(self.value)
