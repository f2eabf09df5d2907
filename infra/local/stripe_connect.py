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
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import Charge, Event, List, PaymentIntent, PaymentMethod, Refund, StripeObject, store
from localstripe.webhooks import schedule_webhook

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# ---- errors shaped as Stripe's ---------------------------------------------------------------------


class StripeError(UserError):
    """An error with Stripe's ``type``, ``code`` and ``param`` (localstripe's always says invalid_request)."""

    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error", code: str | None = None,
                 param: str | None = None, **extra: Any) -> None:
        contents: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        if code is not None:
            contents["code"] = code
        if param is not None:
            contents["param"] = param
        super().__init__(status, message, contents)
        self.body["error"]["type"] = type_


def _missing(param: str) -> StripeError:
    return StripeError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _invalid(param: str, message: str) -> StripeError:
    return StripeError(400, message, code="parameter_invalid_string" if "string" in message else None,
                       param=param)


def _check_known(data: dict[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise StripeError(400, f"Received unknown parameter: {key}", code="parameter_unknown", param=key)


def _int(data: dict[str, Any], param: str, *, required: bool, minimum: int = 1) -> int | None:
    value = data.get(param)
    if value is None:
        if required:
            raise _missing(param)
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise StripeError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param) from None
    if number < minimum:
        raise StripeError(400, f"This value must be greater than or equal to {minimum}.",
                          code="parameter_invalid_integer", param=param)
    return number


def _str(data: dict[str, Any], param: str, *, required: bool, prefix: str | None = None) -> str | None:
    value = data.get(param)
    if value is None or value == "":
        if required:
            raise _missing(param)
        return None
    if not isinstance(value, str):
        raise StripeError(400, f"Invalid string: {value!r}", code="parameter_invalid_string", param=param)
    if prefix is not None and not value.startswith(prefix):
        raise StripeError(400, f"No such object: '{value}'", code="resource_missing", param=param)
    return value


def _metadata(data: dict[str, Any]) -> dict[str, str]:
    value = data.get("metadata") or {}
    if not isinstance(value, dict):
        raise StripeError(400, "Invalid object", code="parameter_invalid_object", param="metadata")
    if len(value) > 50:
        raise StripeError(400, "Metadata can have up to 50 keys.", param="metadata")
    for key, item in value.items():
        if len(str(key)) > 40 or len(str(item)) > 500:
            raise StripeError(400, "Metadata keys are up to 40 and values up to 500 characters.",
                              param=f"metadata[{key}]")
    return {str(k): str(v) for k, v in value.items()}


def _bool(value: Any) -> bool:
    return str(value).lower() == "true" if not isinstance(value, bool) else value


def _get(kind: type[StripeObject], object_id: str, param: str = "id") -> Any:
    found = store.get(f"{kind.object}:{object_id}")
    if found is None:
        raise StripeError(404, f"No such {kind.object}: '{object_id}'", code="resource_missing", param=param)
    return found


def _list(url: str, items: list[Any], data: dict[str, Any]) -> List:
    page = List(url, limit=data.get("limit"), starting_after=data.get("starting_after"))
    page._list = sorted(items, key=lambda item: item.created, reverse=True)
    return page


# ---- Connect accounts and account links ------------------------------------------------------------

_CONNECT = {"onboarding": "instant"}
_ACCOUNT_TYPES = ("express", "standard", "custom")
_CAPABILITIES = ("transfers", "card_payments")
_ONBOARDING_DUE = ["external_account", "individual.dob.day", "individual.first_name", "tos_acceptance.date"]


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type: str, country: str, email: str | None, business_type: str | None,
                 capabilities: dict[str, Any], metadata: dict[str, str]) -> None:
        super().__init__()
        self.type = type
        self.country = country
        self.email = email
        self.business_type = business_type
        self.metadata = metadata
        self.default_currency = None
        self._requested = [name for name in _CAPABILITIES if _bool((capabilities.get(name) or {}).get("requested"))]
        self._onboarded = False

    @property
    def details_submitted(self) -> bool:
        return self._onboarded

    @property
    def payouts_enabled(self) -> bool:
        return self._onboarded

    @property
    def charges_enabled(self) -> bool:
        return self._onboarded and "card_payments" in self._requested

    @property
    def capabilities(self) -> dict[str, str]:
        return {name: "active" if self._onboarded else "inactive" for name in self._requested}

    @property
    def requirements(self) -> dict[str, Any]:
        due = [] if self._onboarded else list(_ONBOARDING_DUE)
        return {"currently_due": due, "eventually_due": due, "past_due": [],
                "disabled_reason": None if self._onboarded else "requirements.past_due"}

    def _set_onboarded(self, done: bool) -> None:
        if self._onboarded != done:
            self._onboarded = done
            store[f"{self.object}:{self.id}"] = self  # persists
            schedule_webhook(Event("account.updated", self))


def create_account(data: dict[str, Any]) -> Account:
    _check_known(data, {"type", "country", "email", "business_type", "capabilities", "metadata", "controller",
                        "business_profile", "default_currency", "settings", "tos_acceptance"})
    kind = _str(data, "type", required=False)
    if kind is None and not data.get("controller"):
        raise StripeError(400, "You must provide either `type` or `controller`.", param="type")
    kind = kind or "express"
    if kind not in _ACCOUNT_TYPES:
        raise StripeError(400, f"Invalid type: must be one of {', '.join(_ACCOUNT_TYPES)}",
                          code="parameter_invalid_string", param="type")
    country = (_str(data, "country", required=False) or "US").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise StripeError(400, "Invalid country", param="country")
    capabilities = data.get("capabilities") or {}
    if not isinstance(capabilities, dict):
        raise StripeError(400, "Invalid object", code="parameter_invalid_object", param="capabilities")
    for name in capabilities:
        if name not in _CAPABILITIES:
            raise StripeError(400, f"Received unknown parameter: capabilities[{name}]", code="parameter_unknown",
                              param=f"capabilities[{name}]")
    if kind == "express" and not _bool((capabilities.get("transfers") or {}).get("requested")):
        raise StripeError(400, "Express accounts must request the `transfers` capability.",
                          param="capabilities[transfers]")
    business_type = _str(data, "business_type", required=False)
    if business_type is not None and business_type not in ("individual", "company", "non_profit",
                                                           "government_entity"):
        raise StripeError(400, "Invalid business_type", param="business_type")
    account = Account(kind, country, _str(data, "email", required=False), business_type, capabilities,
                      _metadata(data))
    if _CONNECT["onboarding"] == "instant":
        account._onboarded = True
    return account


def update_account(account: Account, data: dict[str, Any]) -> Account:
    _check_known(data, {"email", "metadata", "business_profile", "settings"})
    if "email" in data:
        account.email = _str(data, "email", required=False)
    account.metadata = (account.metadata or {}) | _metadata(data)
    return account


class AccountLink(StripeObject):
    object = "account_link"
    _id_prefix = "acctlink_"

    def __init__(self, account: str, kind: str, refresh_url: str | None, return_url: str | None, url: str,
                 token: str) -> None:
        super().__init__()
        self.expires_at = self.created + 300
        self.url = url
        self._account = account
        self._type = kind
        self._refresh_url = refresh_url
        self._return_url = return_url
        self._token = token


def create_account_link(data: dict[str, Any], base: str) -> AccountLink:
    _check_known(data, {"account", "type", "refresh_url", "return_url", "collect", "collection_options"})
    account = _str(data, "account", required=True, prefix="acct_")
    assert account is not None
    _get(Account, account, "account")
    kind = _str(data, "type", required=True)
    if kind not in ("account_onboarding", "account_update"):
        raise StripeError(400, "Invalid type: must be one of account_onboarding or account_update",
                          code="parameter_invalid_string", param="type")
    for param in ("refresh_url", "return_url"):
        url = _str(data, param, required=False)
        if url is not None and not re.match(r"^[a-z][a-z0-9+.-]*://", url):
            raise StripeError(400, f"Not a valid URL: {param}", code="url_invalid", param=param)
    token = secrets.token_urlsafe(18)
    return AccountLink(account, kind, _str(data, "refresh_url", required=False),
                       _str(data, "return_url", required=False), f"{base}/_config/connect/onboarding/{token}", token)


# ---- transfers and reversals -----------------------------------------------------------------------


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount: int, currency: str, destination: str, source_transaction: str | None,
                 transfer_group: str | None, description: str | None, metadata: dict[str, str]) -> None:
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.destination_payment = "py_" + secrets.token_hex(7)
        self.source_transaction = source_transaction
        self.source_type = "card"
        self.transfer_group = transfer_group
        self.description = description
        self.metadata = metadata
        self.balance_transaction = None

    def _reversals(self) -> list[TransferReversal]:
        return [v for k, v in store.items() if k.startswith("transfer_reversal:") and v.transfer == self.id]

    @property
    def amount_reversed(self) -> int:
        return sum(r.amount for r in self._reversals())

    @property
    def reversed(self) -> bool:
        return self.amount_reversed >= self.amount

    @property
    def reversals(self) -> List:
        return _list(f"/v1/transfers/{self.id}/reversals", list(self._reversals()), {})


class TransferReversal(StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(self, transfer: Transfer, amount: int, metadata: dict[str, str]) -> None:
        super().__init__()
        self.transfer = transfer.id
        self.amount = amount
        self.currency = transfer.currency
        self.metadata = metadata
        self.destination_payment_refund = "pyr_" + secrets.token_hex(7)
        self.source_refund = None


def _transferred_from(charge_id: str) -> int:
    return sum(t.amount - t.amount_reversed for k, t in store.items()
               if k.startswith("transfer:") and t.source_transaction == charge_id)


def create_transfer(data: dict[str, Any]) -> Transfer:
    _check_known(data, {"amount", "currency", "destination", "source_transaction", "transfer_group",
                        "description", "metadata", "source_type"})
    amount = _int(data, "amount", required=True)
    currency = _str(data, "currency", required=True)
    destination = _str(data, "destination", required=True)
    assert amount is not None and currency is not None and destination is not None
    currency = currency.lower()
    account = store.get(f"account:{destination}")
    if account is None:
        raise StripeError(400, f"No such destination: '{destination}'", code="resource_missing",
                          param="destination")
    if account.capabilities.get("transfers") != "active":
        raise StripeError(400, "Your destination account needs to have at least one of the following "
                          "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                          code="insufficient_capabilities_for_transfer", param="destination")
    source = _str(data, "source_transaction", required=False)
    if source is not None:
        charge = store.get(f"charge:{source}")
        if charge is None or not source.startswith("ch_"):
            raise StripeError(400, f"No such charge: '{source}'", code="resource_missing",
                              param="source_transaction")
        if charge.status != "succeeded" or not charge.captured:
            raise StripeError(400, "The source transaction has not succeeded.", param="source_transaction")
        if charge.currency.lower() != currency:
            raise StripeError(400, "The currency of the transfer must match the source transaction's currency.",
                              param="currency")
        left = charge.amount - charge.amount_refunded - _transferred_from(source)
        if amount > left:
            raise StripeError(400, f"Transfer amount {amount} exceeds what is left of the source transaction "
                              f"({left}).", code="amount_too_large", param="amount")
    group = _str(data, "transfer_group", required=False)
    transfer = Transfer(amount, currency, destination, source, group, _str(data, "description", required=False),
                        _metadata(data))
    schedule_webhook(Event("transfer.created", transfer))
    return transfer


def create_reversal(transfer: Transfer, data: dict[str, Any]) -> TransferReversal:
    _check_known(data, {"amount", "metadata", "description", "refund_application_fee"})
    left = transfer.amount - transfer.amount_reversed
    amount = _int(data, "amount", required=False) or left
    if left <= 0:
        raise StripeError(400, f"Transfer {transfer.id} has already been fully reversed.",
                          code="transfer_already_reversed")
    if amount > left:
        raise StripeError(400, f"Reversal amount {amount} is greater than what is left of the transfer ({left}).",
                          code="amount_too_large", param="amount")
    reversal = TransferReversal(transfer, amount, _metadata(data))
    schedule_webhook(Event("transfer.reversed", transfer))
    return reversal


# ---- PaymentIntents: transfer_group, description, confirm(payment_method=...), declines --------------

#: Stripe's test payment methods that decline, with the error Stripe answers (code, decline_code, message).
_DECLINING_CARDS: dict[str, tuple[str, str, str]] = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "4000000000000119": ("processing_error", "processing_error",
                         "An error occurred while processing your card. Try again in a little bit."),
    "4100000000000019": ("card_declined", "fraudulent", "Your card was declined."),
    "4000000000000341": ("card_declined", "generic_decline", "Your card was declined."),
}

_TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_chargeDeclinedFraudulent": "4100000000000019",
    "pm_card_chargeCustomerFail": "4000000000000341",
}


def _test_payment_method(cls: Any, pm_id: str) -> Any:
    number = _TEST_PAYMENT_METHODS.get(pm_id)
    if number is None:
        return None
    return PaymentMethod(type="card", card={"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"})


def _decline_of(pm: Any) -> tuple[str, str, str] | None:
    return _DECLINING_CARDS.get(getattr(pm, "_card_number", "")) if getattr(pm, "type", None) == "card" else None


_original_charging_is_declined = PaymentMethod._charging_is_declined


def _charging_is_declined(self: Any) -> bool:
    return _decline_of(self) is not None or bool(_original_charging_is_declined(self))


def _set_auth_failure(self: Any) -> None:
    code, decline_code, message = _decline_of(PaymentMethod._api_retrieve(self.payment_method)) or (
        "card_declined", "generic_decline", "Your card was declined.")
    self.status = "failed"
    self.failure_code = code
    self.failure_message = message
    self.outcome = {"type": "issuer_declined", "network_status": "declined_by_network", "reason": decline_code}
    self._decline_code = decline_code


def _raise_failure(self: Any) -> None:
    raise StripeError(402, self.failure_message, type_="card_error", code=self.failure_code,
                      decline_code=getattr(self, "_decline_code", "generic_decline"), charge=self.id,
                      payment_intent={"id": self.payment_intent, "status": "requires_payment_method"}
                      if self.payment_intent else None)


def _create_charge(self: Any, on_failure_now: Any) -> None:
    if self.status != "requires_confirmation":
        raise UserError(400, "Bad request")
    charge = Charge(amount=self.amount, currency=self.currency, customer=self.customer, source=self.payment_method,
                    capture=(self.capture_method != "manual"))
    charge.payment_intent = self.id
    charge.transfer_group = getattr(self, "transfer_group", None)
    charge.metadata = dict(self.metadata or {})
    charge.description = getattr(self, "description", None)
    self.latest_charge = charge
    charge._initialize_charge(self._on_success, on_failure_now, self._report_async_failure)


_PI_CREATE = {"amount", "currency", "customer", "payment_method", "metadata", "payment_method_types",
              "capture_method", "payment_method_options", "confirm", "off_session", "transfer_group",
              "description", "statement_descriptor", "receipt_email", "automatic_payment_methods", "return_url",
              "setup_future_usage"}


def create_payment_intent(data: dict[str, Any]) -> Any:
    _check_known(data, _PI_CREATE)
    _int(data, "amount", required=True)
    _str(data, "currency", required=True)
    group = _str(data, "transfer_group", required=False)
    description = _str(data, "description", required=False)
    metadata = _metadata(data)
    confirm = _bool(data.get("confirm", False))
    if "application_fee_amount" in data or "transfer_data" in data:  # pragma: no cover (refused above)
        raise StripeError(400, "Destination charges are not emulated here.")
    passed = {k: v for k, v in data.items() if k in ("amount", "currency", "customer", "payment_method",
                                                    "payment_method_types", "capture_method",
                                                    "payment_method_options")}
    if "capture_method" not in passed:
        passed["capture_method"] = "automatic"
    if data.get("payment_method"):
        PaymentMethod._api_retrieve(data["payment_method"])
    intent = PaymentIntent._api_create(**passed, metadata=metadata)
    intent.transfer_group = group
    intent.description = description
    intent.receipt_email = data.get("receipt_email")
    if confirm:
        if not intent.payment_method:
            raise StripeError(400, "You cannot confirm this PaymentIntent because it's missing a payment method.",
                              code="payment_intent_unexpected_state")
        intent._confirm(on_failure_now=intent._report_failure)
    return intent


def update_payment_intent(intent: Any, data: dict[str, Any]) -> Any:
    _check_known(data, {"metadata", "description", "transfer_group", "payment_method", "receipt_email"})
    if intent.status not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise StripeError(400, f"This PaymentIntent's status is {intent.status}; it cannot be updated.",
                          code="payment_intent_unexpected_state")
    if "payment_method" in data:
        _use_payment_method(intent, str(data["payment_method"]))
    if "transfer_group" in data:
        intent.transfer_group = _str(data, "transfer_group", required=False)
    if "description" in data:
        intent.description = _str(data, "description", required=False)
    intent.metadata = (intent.metadata or {}) | _metadata(data)
    return intent


def _use_payment_method(intent: Any, pm_id: str) -> None:
    pm = PaymentMethod._api_retrieve(pm_id)
    intent.payment_method = pm.id
    if intent.latest_charge is not None and intent.latest_charge.status == "failed":
        intent.latest_charge = None  # a new attempt after a decline


def confirm_payment_intent(intent: Any, data: dict[str, Any]) -> Any:
    _check_known(data, {"payment_method", "return_url", "off_session", "receipt_email", "payment_method_options",
                        "mandate_data", "setup_future_usage"})
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        raise StripeError(400, f"This PaymentIntent's status is {intent.status}; it cannot be confirmed.",
                          code="payment_intent_unexpected_state")
    if data.get("payment_method"):
        _use_payment_method(intent, str(data["payment_method"]))
    if not intent.payment_method or intent.status != "requires_confirmation":
        raise StripeError(400, "You cannot confirm this PaymentIntent because it's missing a payment method.",
                          code="payment_intent_unexpected_state")
    intent._confirm(on_failure_now=intent._report_failure)
    return intent


def _cancel_event(intent: Any) -> None:
    schedule_webhook(Event("payment_intent.canceled", intent))


# ---- refunds: capped at what is left, reason, charge.refunded ----------------------------------------

_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create_refund(data: dict[str, Any]) -> Any:
    _check_known(data, {"charge", "payment_intent", "amount", "metadata", "reason", "refund_application_fee",
                        "reverse_transfer"})
    reason = _str(data, "reason", required=False)
    if reason is not None and reason not in _REASONS:
        raise StripeError(400, f"Invalid reason: must be one of {', '.join(_REASONS)}",
                          code="parameter_invalid_string", param="reason")
    charge_id = _str(data, "charge", required=False)
    pi_id = _str(data, "payment_intent", required=False)
    if charge_id is None and pi_id is None:
        raise StripeError(400, "One of `charge` or `payment_intent` is required.", code="parameter_missing",
                          param="charge")
    if charge_id is None:
        intent = _get(PaymentIntent, str(pi_id), "payment_intent")
        if intent.latest_charge is None or intent.latest_charge.status != "succeeded":
            raise StripeError(400, f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                              param="payment_intent")
        charge = intent.latest_charge
    else:
        charge = _get(Charge, charge_id, "charge")
    left = charge.amount - charge.amount_refunded
    if left <= 0:
        raise StripeError(400, f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
    amount = _int(data, "amount", required=False) or left
    if amount > left:
        raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          code="amount_too_large", param="amount")
    refund = Refund(charge=charge.id, amount=amount, metadata=_metadata(data))
    refund.payment_intent = charge.payment_intent
    refund.reason = reason
    schedule_webhook(Event("charge.refunded", charge))
    return refund


# ---- Stripe's idempotent requests ----------------------------------------------------------------------

_IDEMPOTENCY_TTL = 24 * 3600
_in_flight: set[str] = set()


async def _params_digest(request: web.Request) -> str:
    data = await server.get_post_data(request, remove_auth=False) or {}
    canonical = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stripe's ``Idempotency-Key``: the same key with the same parameters answers the first answer again;
    with other parameters, ``400 idempotency_error``; while the first is running, ``409``. Validation errors
    and 5xx are not saved, as at Stripe."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    scope = f"_idempotency:{server.get_api_key(request)}:{key}"
    digest = await _params_digest(request)
    saved = store.get(scope)
    if saved is not None and saved["at"] + _IDEMPOTENCY_TTL > time.time():
        if saved["digest"] != digest:
            raise StripeError(400, "Keys for idempotent requests can only be used with the same parameters they "
                              f"were first used with. Try using a key other than '{key}' if you meant to execute "
                              "a different request.", type_="idempotency_error")
        return web.Response(text=saved["body"], status=saved["status"], content_type="application/json",
                            headers={"Idempotent-Replayed": "true", "Original-Request": saved["request_id"]})
    if scope in _in_flight:
        raise StripeError(409, "There is currently another in-progress request using this Stripe token (that "
                          "probably means you clicked twice, and the other request is still going through).",
                          code="idempotency_key_in_use")
    _in_flight.add(scope)
    try:
        try:
            response = await handler(request)
        except UserError as exc:
            response = exc.to_response()
        status = response.status
        if isinstance(response, web.Response) and (status < 400 or status in (402, 404)):
            text = response.text or ""
            store[scope] = {"digest": digest, "status": status, "body": text, "at": time.time(),
                            "request_id": "req_" + secrets.token_hex(7)}
        return response
    finally:
        _in_flight.discard(scope)


# ---- fault injection (outage drills) --------------------------------------------------------------------

_faults: list[dict[str, Any]] = []


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    for fault in _faults:
        if fault["count"] > 0 and fault["method"] == request.method and re.search(fault["path"], request.path):
            fault["count"] -= 1
            raise StripeError(int(fault["status"]), "Injected fault (local stack).", type_="api_error")
    return await handler(request)


# ---- the routes ------------------------------------------------------------------------------------------


def _respond(obj: Any) -> web.Response:
    return server.json_response(obj._export())


async def _data(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(server.unflatten_data(request.query))
    data = await server.get_post_data(request) or {}
    data.pop("expand", None)
    return dict(data)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _accounts(request: web.Request) -> web.Response:
    if request.method == "POST":
        return _respond(create_account(await _data(request)))
    data = await _data(request)
    return _respond(_list("/v1/accounts", [v for k, v in store.items() if k.startswith("account:")], data))


async def _account(request: web.Request) -> web.Response:
    account = _get(Account, request["params"]["id"])
    if request.method == "POST":
        return _respond(update_account(account, await _data(request)))
    if request.method == "DELETE":
        del store[f"account:{account.id}"]
        return server.json_response({"id": account.id, "object": "account", "deleted": True})
    return _respond(account)


async def _account_links(request: web.Request) -> web.Response:
    return _respond(create_account_link(await _data(request), _base_url(request)))


async def _transfers(request: web.Request) -> web.Response:
    data = await _data(request)
    if request.method == "POST":
        return _respond(create_transfer(data))
    _check_known(data, {"destination", "transfer_group", "limit", "starting_after", "created", "expand"})
    items = [v for k, v in store.items() if k.startswith("transfer:")]
    if data.get("transfer_group"):
        items = [t for t in items if t.transfer_group == data["transfer_group"]]
    if data.get("destination"):
        items = [t for t in items if t.destination == data["destination"]]
    return _respond(_list("/v1/transfers", items, data))


async def _transfer(request: web.Request) -> web.Response:
    transfer = _get(Transfer, request["params"]["id"])
    if request.method == "POST":
        data = await _data(request)
        _check_known(data, {"metadata", "description"})
        transfer.metadata = (transfer.metadata or {}) | _metadata(data)
    return _respond(transfer)


async def _reversals(request: web.Request) -> web.Response:
    transfer = _get(Transfer, request["params"]["id"])
    if request.method == "POST":
        return _respond(create_reversal(transfer, await _data(request)))
    return _respond(transfer.reversals)


async def _payment_intents(request: web.Request) -> web.Response:
    return _respond(create_payment_intent(await _data(request)))


async def _payment_intent(request: web.Request) -> web.Response:
    intent = _get(PaymentIntent, request["params"]["id"])
    return _respond(update_payment_intent(intent, await _data(request)))


async def _confirm(request: web.Request) -> web.Response:
    intent = _get(PaymentIntent, request["params"]["id"])
    return _respond(confirm_payment_intent(intent, await _data(request)))


async def _cancel(request: web.Request) -> web.Response:
    intent = _get(PaymentIntent, request["params"]["id"])
    data = await _data(request)
    _check_known(data, {"cancellation_reason"})
    if intent.status not in ("requires_payment_method", "requires_capture", "requires_confirmation",
                             "requires_action"):
        raise StripeError(400, f"You cannot cancel this PaymentIntent because it has a status of {intent.status}.",
                          code="payment_intent_unexpected_state")
    intent._canceled = True
    intent.next_action = None
    _cancel_event(intent)
    return _respond(intent)


async def _refunds(request: web.Request) -> web.Response:
    return _respond(create_refund(await _data(request)))


async def _onboarding_page(request: web.Request) -> web.Response:
    token = request["params"]["token"]
    link = next((v for k, v in store.items() if k.startswith("account_link:") and v._token == token), None)
    if link is None or link.expires_at < time.time():
        return web.Response(status=410, text="This onboarding link has expired: ask for a new one.\n")
    _get(Account, link._account)._set_onboarded(True)
    back = f'<p><a href="{link._return_url}">Return to GigConnect</a></p>' if link._return_url else ""
    return web.Response(text=f"<html><body><h1>Onboarding complete</h1><p>{link._account} can receive payouts."
                        f"</p>{back}</body></html>", content_type="text/html")


async def _config_account(request: web.Request) -> web.Response:
    account = _get(Account, request["params"]["id"])
    data = await server.get_post_data(request) or {}
    account._set_onboarded(_bool(data.get("payouts_enabled", True)))
    return _respond(account)


async def _config_onboarding(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    mode = str(data.get("mode", ""))
    if mode not in ("instant", "link"):
        raise StripeError(400, "mode must be instant or link", param="mode")
    _CONNECT["onboarding"] = mode
    return server.json_response({"onboarding": mode})


async def _config_faults(request: web.Request) -> web.Response:
    if request.method == "DELETE":
        _faults.clear()
        return server.json_response({"faults": []})
    data = await server.get_post_data(request) or {}
    try:
        re.compile(str(data["path"]))
        fault = {"method": str(data.get("method", "POST")).upper(), "path": str(data["path"]),
                 "status": int(data.get("status", 500)), "count": int(data.get("count", 1))}
    except (KeyError, ValueError, re.error):
        raise StripeError(400, "faults need path (a regular expression), status and count") from None
    _faults.append(fault)
    return server.json_response({"faults": _faults})


#: (method, path) served here ahead of localstripe's own route for the same path.
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/accounts", _accounts),
    ("GET", "/v1/accounts", _accounts),
    ("GET", "/v1/accounts/{id}", _account),
    ("POST", "/v1/accounts/{id}", _account),
    ("DELETE", "/v1/accounts/{id}", _account),
    ("POST", "/v1/account_links", _account_links),
    ("POST", "/v1/transfers", _transfers),
    ("GET", "/v1/transfers", _transfers),
    ("GET", "/v1/transfers/{id}", _transfer),
    ("POST", "/v1/transfers/{id}", _transfer),
    ("POST", "/v1/transfers/{id}/reversals", _reversals),
    ("GET", "/v1/transfers/{id}/reversals", _reversals),
    ("POST", "/v1/payment_intents", _payment_intents),
    ("POST", "/v1/payment_intents/{id}", _payment_intent),
    ("POST", "/v1/payment_intents/{id}/confirm", _confirm),
    ("POST", "/v1/payment_intents/{id}/cancel", _cancel),
    ("POST", "/v1/refunds", _refunds),
    ("GET", "/_config/connect/onboarding/{token}", _onboarding_page),
    ("POST", "/_config/connect/accounts/{id}", _config_account),
    ("POST", "/_config/connect/onboarding", _config_onboarding),
    ("POST", "/_config/connect/faults", _config_faults),
    ("DELETE", "/_config/connect/faults", _config_faults),
]


def _matcher() -> Callable[[web.Request], tuple[Handler, dict[str, str]] | None]:
    compiled = [(method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"), handler)
                for method, path, handler in ROUTES]

    def match(request: web.Request) -> tuple[Handler, dict[str, str]] | None:
        for method, pattern, handler in compiled:
            found = pattern.match(request.path)
            if found and method == request.method:
                return handler, found.groupdict()
        return None

    return match


def install(app: web.Application) -> None:
    """Add the Connect service, the declines and Stripe's idempotency to localstripe's ``app``."""
    PaymentMethod._try_get_canonical_test_article = classmethod(_test_payment_method)  # type: ignore[assignment]
    PaymentMethod._charging_is_declined = _charging_is_declined  # type: ignore[method-assign]
    Charge._set_auth_failure = _set_auth_failure  # type: ignore[method-assign]
    Charge._raise_failure = _raise_failure  # type: ignore[method-assign]
    PaymentIntent._create_charge = _create_charge  # type: ignore[method-assign]
    match = _matcher()

    @web.middleware
    async def connect_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        found = match(request)
        if found is None:
            return await handler(request)
        ours, params = found
        request["params"] = params
        return await ours(request)

    # Inside localstripe's error and auth middlewares (so errors keep Stripe's shape), outside its store saving.
    app.middlewares.append(fault_middleware)
    app.middlewares.append(idempotency_middleware)
    app.middlewares.append(connect_middleware)
