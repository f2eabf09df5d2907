"""Settlement: a contract (and its gig) ends with its last milestone, in that milestone's transaction; and the
auto-release schedule, which releases submitted milestones whose time has come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from gigcore.domain.contracts import CONTRACT_TRANSITIONS, Contract, ContractAction, Milestone, settled_status
from gigcore.domain.errors import ConflictError, InvalidStateError, NotFoundError
from gigcore.domain.users import Principal
from gigcore.ports.unit_of_work import UnitOfWork
from gigcore.services.escrow._core import Core, logger

_SETTLING: dict[str, ContractAction] = {"completed": "complete", "cancelled": "cancel"}


def settle(unit: UnitOfWork, contract: Contract, after: Milestone, now: datetime) -> str | None:
    """When ``after`` is the last milestone to end: the contract becomes completed (or cancelled) and its gig
    follows, in ``unit`` (the milestone's transaction), which also checks no other milestone moved meanwhile.
    Answers the gig's id when it settles the contract, None otherwise (nothing added)."""
    others = [m for m in contract.milestones if m.id != after.id]
    settled = settled_status([*others, after])
    action = _SETTLING.get(settled or "")
    if action is None or (contract.status, action) not in CONTRACT_TRANSITIONS:
        return None
    for m in others:
        unit.contracts.check_milestone(m)
    unit.contracts.save(contract.moved(action, now), expected={contract.status})
    gig = unit.gigs.get(contract.gig_id)
    outcome: Literal["completed", "cancelled"] = "completed" if settled == "completed" else "cancelled"
    if gig is not None and (change := gig.follow_contract(outcome, now)) is not None:
        # No event: the gig left search and the geo index when it was filled (its gig.closed then).
        unit.gigs.save(change.gig, expected_status=gig.status)
    return contract.gig_id


Release = Callable[[Principal | None, str, str, datetime], Milestone]


class AutoRelease:
    def __init__(self, core: Core, release: Release) -> None:
        self._core = core
        self._release = release

    def auto_release_due(self, now: datetime, *, limit: int = 100) -> int:
        """Release every submitted milestone whose ``auto_release_at`` has come; returns how many were released.
        One that cannot be (no payout account yet, Stripe down) is logged and tried again next time."""
        released = 0
        for contract_id, milestone_id in self._core.ports.unit_of_work().contracts.due_for_release(now, limit=limit):
            try:
                m = self._release(None, contract_id, milestone_id, now)
            except (InvalidStateError, ConflictError, NotFoundError) as exc:
                logger.warning("auto-release of %s/%s skipped: %s", contract_id, milestone_id, exc)
                continue
            except Exception:
                logger.exception("auto-release of %s/%s failed", contract_id, milestone_id)
                continue
            released += m.status == "released"
        return released
