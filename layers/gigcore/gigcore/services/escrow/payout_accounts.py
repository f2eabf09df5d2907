"""Freelancers' payout accounts (Stripe Connect): created once per user, kept in step with Stripe."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError, NotFoundError
from gigcore.domain.users import Principal
from gigcore.ports.escrow import PayoutAccount
from gigcore.services.escrow._core import Core


@dataclass(frozen=True)
class PayoutAccountView:
    account: PayoutAccount
    onboarding_url: str


class PayoutAccounts:
    def __init__(self, core: Core) -> None:
        self._core = core

    def payout_account(self, principal: Principal, now: datetime) -> PayoutAccountView:
        """The freelancer's Connect account, created on first call (one per user, whatever the number of
        concurrent calls: Stripe's idempotency key is the user's), with a fresh onboarding link."""
        if not principal.has_role("freelancer"):
            raise ForbiddenError("Only freelancers have payout accounts.")
        ports = self._core.ports
        account = ports.payout_accounts.get(principal.user_id)
        if account is None:
            user = ports.users.get(principal.user_id)
            if user is None:
                raise NotFoundError("The user does not exist.")
            created = ports.payments.create_account(
                user_id=user.id, email=user.email, idempotency_key=f"gigconnect:payout-account:{user.id}")
            account = ports.payout_accounts.add(PayoutAccount(
                user_id=user.id, account_id=created.id, payouts_enabled=created.payouts_enabled, created_at=now))
        elif not account.payouts_enabled:
            account = self._refresh(account)
        config = self._core.config
        url = ports.payments.onboarding_link(account.account_id, refresh_url=config.onboarding_refresh_url,
                                             return_url=config.onboarding_return_url)
        return PayoutAccountView(account=account, onboarding_url=url)

    def payable(self, freelancer_id: str) -> PayoutAccount:
        """The freelancer's account if it can receive payments (Stripe asked again when it could not); 409
        otherwise."""
        account = self._core.ports.payout_accounts.get(freelancer_id)
        if account is not None and not account.payouts_enabled:
            account = self._refresh(account)
        if account is None or not account.payouts_enabled:
            raise InvalidStateError("The freelancer has no payout account that can receive payments yet.",
                                    details=[ErrorDetail(field="payout_account", issue="required")])
        return account

    def _refresh(self, account: PayoutAccount) -> PayoutAccount:
        enabled = self._core.ports.payments.get_account(account.account_id).payouts_enabled
        if enabled != account.payouts_enabled:
            self._core.ports.payout_accounts.set_payouts_enabled(account.user_id, enabled)
        return replace(account, payouts_enabled=enabled)
