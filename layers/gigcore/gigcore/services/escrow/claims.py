"""The one way a money-moving step runs on a milestone (docs/escrow.md "Every step that moves money"):

1. read the milestone; if a step is in flight on it (``pending_op``), join it when it is the same step (the same
   Stripe idempotency keys answer the same objects), otherwise finish it first with its own keys;
2. check the state machine and the caller's rights (the use case's ``plan``, which names the step);
3. claim the milestone with the step, conditioned on the version just read: of many concurrent calls one
   claims, the others find the claim and join it;
4. call Stripe with idempotency keys derived from the claim (``PendingOp.idempotency_key``);
5. record the outcome in ONE transaction conditioned on the claimed version (``Core.record``).

A Stripe answer that refuses (a declined card, an account that cannot be paid) gives the claim up: nothing
moved. A Stripe outage (503) keeps it: the call may have taken effect, and the next call on the milestone
finishes it with the same keys. A claim whose rules no longer hold can never succeed: it is given up (409).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.errors import ConflictError, InvalidStateError, PaymentFailedError, ValidationError
from gigcore.domain.escrow import LedgerEntry, MilestoneMoney, OpKind, PendingOp, milestone_money
from gigcore.ports.payments import PaymentRefusedError
from gigcore.services.escrow._core import (
    ATTEMPTS,
    KEPT_CHANGING,
    Core,
    LostRaceError,
    cannot_finish,
    logger,
    retried,
)
from gigcore.services.retry import jittered_pause, retry_on_conflict

R = TypeVar("R")
#: Finishes a claimed step of one kind: (the contract, the milestone as claimed, the step, now).
Completer = Callable[[Contract, Milestone, PendingOp, datetime], object]


def _never(op: PendingOp) -> bool:
    return False


class Claims:
    """Claims on milestones, and finishing the steps left on them (``completers``: one per kind of step)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.completers: dict[OpKind, Completer] = {}

    def run(self, now: datetime, load: Callable[[], tuple[Contract, Milestone]],
            plan: Callable[[Contract, Milestone], PendingOp | R],
            complete: Callable[[Contract, Milestone, PendingOp], R], *,
            joins: Callable[[PendingOp], bool] = _never, kept_changing: str = KEPT_CHANGING) -> R:
        """Steps 1 to 3, then ``complete`` (steps 4 and 5) on the claimed milestone. ``load`` reads the contract
        and the milestone (and checks what comes before a step in flight is looked at); ``joins(op)`` says
        whether the step left in flight is this very one; ``plan`` checks the rules and names the step (or
        answers without one: its answer is returned as it is)."""
        def attempt() -> R:
            contract, m = load()
            if m.pending_op is not None:
                left = PendingOp.decode(m.pending_op)
                if joins(left):
                    return self._complete_own(complete, contract, m, left)
                self.finish_left(contract, m, now)
                raise LostRaceError(kept_changing)  # finished: read the milestone again
            planned = plan(contract, m)
            if not isinstance(planned, PendingOp):
                return planned
            try:
                claimed = self.claim(m, planned)
            except ConflictError as lost:
                raise LostRaceError(kept_changing) from lost
            return self._complete_own(complete, contract, claimed, planned)

        return retry_on_conflict(attempt, attempts=ATTEMPTS, lost_race=LostRaceError)

    @staticmethod
    def _complete_own(complete: Callable[[Contract, Milestone, PendingOp], R], contract: Contract, m: Milestone,
                      op: PendingOp) -> R:
        """Steps 4 and 5 of this call's own step. Stripe answers 409 while another call makes the same request
        with the same idempotency key (one finishing this very step, found claimed): once that request is done,
        the same keys answer the same objects and the record finds the step recorded, so the caller is told what
        was done instead of a 409 for a step that went through."""
        # The pauses start longer (attempt + 2): the other request is a whole Stripe call.
        return retry_on_conflict(lambda: complete(contract, m, op), attempts=ATTEMPTS,
                                 pause=lambda attempt: jittered_pause(attempt + 2))

    def claim(self, m: Milestone, op: PendingOp) -> Milestone:
        """Claim ``m`` (as read) for ``op``; ConflictError when another call changed it first (InvalidStateError
        when it moved to another status)."""
        unit = self._core.ports.unit_of_work()
        claimed = unit.contracts.save_milestone(m.changed(pending_op=op.encode()), expected={m.status})
        unit.commit()
        return claimed

    def give_up(self, m: Milestone) -> None:
        """Give up a claim after a refusal (nothing moved); a lost race here is harmless."""
        with contextlib.suppress(ConflictError, InvalidStateError):
            unit = self._core.ports.unit_of_work()
            unit.contracts.save_milestone(m.changed(pending_op=None), expected={m.status})
            unit.commit()

    @contextlib.contextmanager
    def gives_up_on(self, m: Milestone,
                    refusals: tuple[type[Exception], ...] = (PaymentRefusedError, InvalidStateError)) -> Iterator[None]:
        """Around a Stripe call made under the claim on ``m``: one of ``refusals`` (by default a refusal, or a
        rule that does not hold) means nothing moved, so the claim is given up and the error goes on."""
        try:
            yield
        except refusals:
            self.give_up(m)
            raise

    def check(self, m: Milestone, op: PendingOp, rules: Callable[[], object]) -> None:
        """Run ``rules`` (the step's, before any Stripe call); when they fail, the claim can never succeed (the
        milestone cannot change while it is claimed, and every version of a step checked them before its first
        Stripe call, so none was made under it): give it up and answer 409."""
        try:
            rules()
        except (ValueError, InvalidStateError, ValidationError) as exc:
            logger.error("the %s claimed on milestone %s cannot be completed: %s", op.kind, m.id, exc)
            self.give_up(m)
            raise cannot_finish(op, "its rules do not hold") from exc

    def finish_left(self, contract: Contract, m: Milestone, now: datetime) -> None:
        """Finish the step left on ``m`` (crashed or in flight), with its own keys."""
        assert m.pending_op is not None
        op = PendingOp.decode(m.pending_op)
        logger.info("finishing %s left on milestone %s", op.kind, m.id)
        complete = self.completers.get(op.kind)
        try:
            if complete is not None:
                complete(contract, m, op, now)
            else:
                # Written by no version of this code: nothing can finish it, and no Stripe call is keyed on it.
                logger.error("milestone %s holds a step of unknown kind %r; cleared", m.id, op.kind)
                self.give_up(m)
        except (PaymentFailedError, PaymentRefusedError, InvalidStateError, ValidationError):
            pass  # its outcome was recorded (claim cleared), or another call recorded it

    def ready(self, contract_id: str, milestone_id: str, now: datetime) -> tuple[Contract, Milestone]:
        """The contract and the milestone with no step in flight (finishing any left behind)."""
        def attempt() -> tuple[Contract, Milestone]:
            contract = self._core.contract(contract_id)
            m = self._core.milestone(contract, milestone_id)
            if m.pending_op is None:
                return contract, m
            self.finish_left(contract, m, now)
            raise LostRaceError("Another payment step on this milestone is in progress; try again.")

        return retried(attempt)

    def after_race(self, contract: Contract, m: Milestone, now: datetime) -> Milestone:
        """Another call recorded first (a joined step), or the settlement saw another milestone move: read
        again, and finish the step if it is still in flight."""
        fresh = self._core.stored_milestone(contract.id, m.id)
        if fresh.pending_op is not None and fresh.pending_op == m.pending_op:
            self.finish_left(self._core.contract(contract.id), fresh, now)
            fresh = self._core.stored_milestone(contract.id, m.id)
        return fresh

    def money_as_claimed(self, contract: Contract, m: Milestone) -> MilestoneMoney | None:
        """The milestone's share of the ledger as it stood at ``m``'s version; None when the milestone moved on
        since (a joined step recorded by another call meanwhile: its entries must not be counted twice).
        The ledger is read first: an unchanged version read after it proves the ledger had no later entry."""
        money = milestone_money(self._core.ports.unit_of_work().ledger.entries(contract.id), m.id, m.amount.currency)
        fresh = self._core.stored_milestone(contract.id, m.id)
        return money if fresh.version == m.version else None

    def record_part(self, m: Milestone, entries: Sequence[LedgerEntry], after: Milestone | None = None) -> None:
        """Stripe refused the rest of a step after part of it moved money: record that part (``after``: the
        milestone with it, by default ``m`` as it was) and give up the claim, so that the ledger says what Stripe
        did and a later call can act on the milestone."""
        if self._core.record(m, (after or m).changed(pending_op=None), entries=entries) is None:
            logger.error("the part of a step done on milestone %s could not be recorded: %s", m.id, entries)
