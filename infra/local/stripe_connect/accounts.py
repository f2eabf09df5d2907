"""Connect accounts and account links (onboarding), with ``account.updated`` events."""

from __future__ import annotations

import re
import secrets
from typing import Any

from localstripe.resources import Event, StripeObject, store
from localstripe.webhooks import schedule_webhook

from infra.local.stripe_connect.params import (
    StripeError,
    is_true,
    metadata_param,
    refuse_unknown,
    stored_object,
    str_param,
)

#: Whether new accounts are ready for payouts at once (``instant``) or once their link is opened (``link``).
CONNECT = {"onboarding": "instant"}
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
        self._requested = [name for name in _CAPABILITIES if is_true((capabilities.get(name) or {}).get("requested"))]
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
    refuse_unknown(data, {"type", "country", "email", "business_type", "capabilities", "metadata", "controller",
                        "business_profile", "default_currency", "settings", "tos_acceptance"})
    kind = str_param(data, "type", required=False)
    if kind is None and not data.get("controller"):
        raise StripeError(400, "You must provide either `type` or `controller`.", param="type")
    kind = kind or "express"
    if kind not in _ACCOUNT_TYPES:
        raise StripeError(400, f"Invalid type: must be one of {', '.join(_ACCOUNT_TYPES)}",
                          code="parameter_invalid_string", param="type")
    country = (str_param(data, "country", required=False) or "US").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise StripeError(400, "Invalid country", param="country")
    capabilities = data.get("capabilities") or {}
    if not isinstance(capabilities, dict):
        raise StripeError(400, "Invalid object", code="parameter_invalid_object", param="capabilities")
    for name in capabilities:
        if name not in _CAPABILITIES:
            raise StripeError(400, f"Received unknown parameter: capabilities[{name}]", code="parameter_unknown",
                              param=f"capabilities[{name}]")
    if kind == "express" and not is_true((capabilities.get("transfers") or {}).get("requested")):
        raise StripeError(400, "Express accounts must request the `transfers` capability.",
                          param="capabilities[transfers]")
    business_type = str_param(data, "business_type", required=False)
    if business_type is not None and business_type not in ("individual", "company", "non_profit",
                                                           "government_entity"):
        raise StripeError(400, "Invalid business_type", param="business_type")
    account = Account(kind, country, str_param(data, "email", required=False), business_type, capabilities,
                      metadata_param(data))
    if CONNECT["onboarding"] == "instant":
        account._onboarded = True
    return account


def update_account(account: Account, data: dict[str, Any]) -> Account:
    refuse_unknown(data, {"email", "metadata", "business_profile", "settings"})
    if "email" in data:
        account.email = str_param(data, "email", required=False)
    account.metadata = (account.metadata or {}) | metadata_param(data)
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
    refuse_unknown(data, {"account", "type", "refresh_url", "return_url", "collect", "collection_options"})
    account = str_param(data, "account", required=True, prefix="acct_")
    assert account is not None
    stored_object(Account, account, "account")
    kind = str_param(data, "type", required=True)
    if kind not in ("account_onboarding", "account_update"):
        raise StripeError(400, "Invalid type: must be one of account_onboarding or account_update",
                          code="parameter_invalid_string", param="type")
    for param in ("refresh_url", "return_url"):
        url = str_param(data, param, required=False)
        if url is not None and not re.match(r"^[a-z][a-z0-9+.-]*://", url):
            raise StripeError(400, f"Not a valid URL: {param}", code="url_invalid", param=param)
    token = secrets.token_urlsafe(18)
    return AccountLink(account, kind, str_param(data, "refresh_url", required=False),
                       str_param(data, "return_url", required=False), f"{base}/_config/connect/onboarding/{token}",
                       token)
