from enum import StrEnum


class NotificationOutType(StrEnum):
    APPLICATION_ACCEPTED = "application.accepted"
    APPLICATION_RECEIVED = "application.received"
    APPLICATION_REJECTED = "application.rejected"
    CONTRACT_CANCELLED = "contract.cancelled"
    DISPUTE_OPENED = "dispute.opened"
    DISPUTE_RESOLVED = "dispute.resolved"
    GIG_NEARBY_MATCH = "gig.nearby_match"
    MESSAGE_RECEIVED = "message.received"
    MILESTONE_FUNDED = "milestone.funded"
    MILESTONE_REFUNDED = "milestone.refunded"
    MILESTONE_RELEASED = "milestone.released"
    MILESTONE_SUBMITTED = "milestone.submitted"

    def __str__(self) -> str:
        return str(self.value)
