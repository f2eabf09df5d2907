"""The local Connect service: what localstripe lacks for GigConnect's escrow, added onto its app.

localstripe answers customers, PaymentIntents, refunds and signed webhooks. GigConnect's "separate charges
and transfers" also needs Connect accounts and account links, transfers with ``source_transaction`` and
``transfer_group``, transfer reversals, ``transfer_group`` on PaymentIntents, ``confirm(payment_method=...)``,
the documented declining test cards, refunds capped at what is left of the charge, ``charge.refunded``
and ``account.updated`` events, and Stripe's ``Idempotency-Key`` semantics. :func:`install` adds all of
that to localstripe's aiohttp app before it starts; localstripe's own files are left as they are.
docs/local-stack.md lists what is emulated and where it differs from Stripe.

Objects live in localstripe's store (so ``--state`` persists them too). Parameters are validated as
Stripe's API reference describes: a missing required one is ``parameter_missing``, an unknown one is
``parameter_unknown``, both ``400 invalid_request_error`` with ``param`` set.

Controls for tests (no API key needed, like localstripe's own ``/_config/``):

- ``GET /_config/connect/onboarding/{token}``: the page an account link's ``url`` points at; opening it
  completes the account's onboarding (``payouts_enabled`` becomes true, ``account.updated`` is sent).
- ``POST /_config/connect/accounts/{id}`` with ``payouts_enabled=false|true``: restrict or enable an account.
- ``POST /_config/connect/onboarding`` with ``mode=instant|link``: whether new accounts are ready for payouts
  at once (``instant``, the default: a test-mode account created with complete test details) or only once
  their account link has been opened (``link``).
- ``POST /_config/connect/faults`` with ``method``, ``path`` (a regular expression), ``status`` and ``count``:
  the next ``count`` matching calls answer ``status`` (an outage drill); ``DELETE`` clears them.

The package, by what each module holds: ``params`` (Stripe's errors and parameter checks), ``accounts``,
``transfers``, ``payment_intents`` (with the declining test cards), ``refunds``, ``idempotency``,
``faults`` (outage drills) and ``routes`` (the routes, the test controls and :func:`install`).
"""

# The objects are re-exported here too: a localstripe state file pickled before the package was split names
# them ``infra.local.stripe_connect.Account`` (and so on), and must still load.
from infra.local.stripe_connect.accounts import Account, AccountLink
from infra.local.stripe_connect.routes import ROUTES, install
from infra.local.stripe_connect.transfers import Transfer, TransferReversal

__all__ = ["ROUTES", "Account", "AccountLink", "Transfer", "TransferReversal", "install"]
