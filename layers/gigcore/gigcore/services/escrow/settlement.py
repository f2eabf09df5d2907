"""Settlement: a contract (and its gig) ends with its last milestone, in that milestone's transaction; and the
auto-release schedule, which releases submitted milestones whose time has come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gigcore.domain.contracts import CONTRACT_TRANSITIONS, Contract, ContractAction, Milestone, settled_status
from gigcore.domain.errors import ConflictError, InvalidStateError, NotFoundError
from gigcore.domain.gigs import GIG_TRANSITIONS, GigAction
from gigcore.domain.users import Principal
from gigcore.ports import TransactItem
from gigcore.services.escrow._core import Core, logger

_SETTLING: dict[str, ContractAction] = {"completed": "complete", "cancelled": "cancel"}


def settlement_writes(core: Core, contract: Contract, after: Milestone, now: datetime) -> list[TransactItem]:
    """When ``after`` is the last milestone to end: the contract becomes completed (or cancelled) and its gig
    follows, in the same transaction, which also checks no other milestone moved meanwhile."""
    others = [m for m in contract.milestones if m.id != after.id]
    settled = settled_status([*others, after])
    action = _SETTLING.get(settled or "")
    if action is None or (contract.status, action) not in CONTRACT_TRANSITIONS:
        return []
    status = CONTRACT_TRANSITIONS[(contract.status, action)]
    contracts, gigs = core.ports.contracts, core.ports.gigs
    writes = [contracts.milestone_check(contract.id, m.id, version=m.version) for m in others]
    writes.append(contracts.contract_write(contract.id, expected={contract.status},
                                           changes={"status": status, "updated_at": now}))
    gig = gigs.get(contract.gig_id)
    gig_action: GigAction = "complete" if status == "completed" else "cancel_contract"
    if gig is not None and (gig.status, gig_action) in GIG_TRANSITIONS:
        writes += gigs.save_writes(gig.changed(status=GIG_TRANSITIONS[(gig.status, gig_action)], updated_at=now),
                                   expected_status=gig.status)
    return writes


Release = Callable[[Principal | None, str, str, datetime], Milestone]


class AutoRelease:
    def __init__(self, core: Core, release: Release) -> None:
        self._core = core
        self._release = release

    def auto_release_due(self, now: datetime, *, limit: int = 100) -> int:
        """Release every submitted milestone whose ``auto_release_at`` has come; returns how many were released.
        One that cannot be (no payout account yet, Stripe down) is logged and tried again next time."""
        released = 0
        for contract_id, milestone_id in self._core.ports.contracts.due_for_release(now, limit=limit):
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
