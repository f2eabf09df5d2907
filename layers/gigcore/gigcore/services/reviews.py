"""Reviews: the parties of a completed contract review each other (domain/reviews.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aws_lambda_powertools import Logger

from gigcore.domain.errors import ConflictError, ErrorDetail, ForbiddenError, InvalidStateError, NotFoundError
from gigcore.domain.ids import new_id
from gigcore.domain.reviews import REVIEW_WINDOW, Review
from gigcore.domain.users import Principal
from gigcore.observability import SERVICE
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged, nobody_listens
from gigcore.ports.contracts import ContractReader
from gigcore.ports.reviews import ReviewCursor, ReviewPage, ReviewStore
from gigcore.services.retry import retry_on_conflict

logger = Logger(service=SERVICE, child=True)
_ATTEMPTS = 4


@dataclass(frozen=True)
class ReviewPorts:
    reviews: ReviewStore
    contracts: ContractReader
    users: UserRepository
    #: Hears of the users whose rating a shown review moved.
    changed: ChangeListener = nobody_listens


def review(principal: Principal, contract_id: str, rating: int, comment: str, *, ports: ReviewPorts,
           now: datetime) -> Review:
    """A party reviews the other: 404 for no contract, 403 for anyone else, 409 ``invalid_state`` unless the
    contract is completed and its 14-day window open, 409 ``conflict`` for a second review by the same party.
    The review is hidden until the other party's arrives (both then show) or the window closes."""
    contract = ports.contracts.get(contract_id)
    if contract is None:
        raise NotFoundError("The contract does not exist.")
    side = contract.party(principal.user_id)
    if side is None:
        raise ForbiddenError("Only the parties of a contract review it.")
    if contract.status != "completed":
        raise InvalidStateError("Only a completed contract can be reviewed.",
                                details=[ErrorDetail(field="contract.status", issue=contract.status)])
    window_ends_at = contract.updated_at + REVIEW_WINDOW  # the contract's last change is its completion
    if now >= window_ends_at:
        raise InvalidStateError("The 14 days for reviewing this contract are over.",
                                details=[ErrorDetail(field="contract", issue="review window closed")])
    reviewee = contract.freelancer_id if side == "client" else contract.client_id

    def attempt() -> Review | None:
        if ports.reviews.get(contract_id, principal.user_id) is not None:
            return None  # decided, not a lost race: trying again cannot help
        other = ports.reviews.get(contract_id, reviewee)
        mine = Review(id=new_id(), contract_id=contract_id, reviewer_id=principal.user_id, reviewee_id=reviewee,
                      rating=rating, comment=comment, created_at=now, window_ends_at=window_ends_at,
                      revealed=other is not None)
        # The other party reviewing at the same moment (or this one twice) makes the write fail: read again.
        ports.reviews.add(mine, other=other)
        return mine

    mine = retry_on_conflict(attempt, attempts=_ATTEMPTS)
    if mine is None:
        raise ConflictError("You have already reviewed this contract.")
    if mine.revealed:  # both reviews show now: both ratings moved
        for user_id in (mine.reviewer_id, mine.reviewee_id):
            ports.changed(EntityChanged("user", user_id))
    return mine


def reviews_of(user_id: str, *, limit: int, after: ReviewCursor | None, ports: ReviewPorts,
               now: datetime) -> ReviewPage:
    """The reviews a user received that show now, newest first; 404 for no user."""
    if ports.users.get(user_id) is None:
        raise NotFoundError("The user does not exist.")
    return ports.reviews.visible_of(user_id, now, limit=limit, after=after)


def reveal_due(*, ports: ReviewPorts, now: datetime, limit: int = 200) -> int:
    """The schedule: hidden reviews whose window closed show, and count in their reviewee's rating, once."""
    revealed = 0
    for hidden in ports.reviews.due_for_reveal(now, limit=limit):
        if ports.reviews.reveal(hidden):
            revealed += 1
            ports.changed(EntityChanged("user", hidden.reviewee_id))
    logger.info("revealed %d review(s)", revealed)
    return revealed
