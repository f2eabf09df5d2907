"""The Connect service's routes and the test controls, served ahead of localstripe's own; :func:`install`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from localstripe import server
from localstripe.resources import PaymentIntent, store

from infra.local.stripe_connect.accounts import CONNECT, Account, create_account, create_account_link, update_account
from infra.local.stripe_connect.faults import FAULTS, fault_middleware
from infra.local.stripe_connect.idempotency import Handler, idempotency_middleware
from infra.local.stripe_connect.params import (
    StripeError,
    is_true,
    list_object,
    metadata_param,
    refuse_unknown,
    stored_object,
)
from infra.local.stripe_connect.payment_intents import (
    confirm_payment_intent,
    create_payment_intent,
    patch_localstripe,
    send_canceled_event,
    update_payment_intent,
)
from infra.local.stripe_connect.refunds import create_refund
from infra.local.stripe_connect.transfers import Transfer, create_reversal, create_transfer


def _respond(obj: Any) -> web.Response:
    return server.json_response(obj._export())


async def _params_of(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(server.unflatten_data(request.query))
    data = await server.get_post_data(request) or {}
    data.pop("expand", None)
    return dict(data)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _accounts(request: web.Request) -> web.Response:
    if request.method == "POST":
        return _respond(create_account(await _params_of(request)))
    data = await _params_of(request)
    return _respond(list_object("/v1/accounts", [v for k, v in store.items() if k.startswith("account:")], data))


async def _account(request: web.Request) -> web.Response:
    account = stored_object(Account, request["params"]["id"])
    if request.method == "POST":
        return _respond(update_account(account, await _params_of(request)))
    if request.method == "DELETE":
        del store[f"account:{account.id}"]
        return server.json_response({"id": account.id, "object": "account", "deleted": True})
    return _respond(account)


async def _account_links(request: web.Request) -> web.Response:
    return _respond(create_account_link(await _params_of(request), _base_url(request)))


async def _transfers(request: web.Request) -> web.Response:
    data = await _params_of(request)
    if request.method == "POST":
        return _respond(create_transfer(data))
    refuse_unknown(data, {"destination", "transfer_group", "limit", "starting_after", "created", "expand"})
    items = [v for k, v in store.items() if k.startswith("transfer:")]
    if data.get("transfer_group"):
        items = [t for t in items if t.transfer_group == data["transfer_group"]]
    if data.get("destination"):
        items = [t for t in items if t.destination == data["destination"]]
    return _respond(list_object("/v1/transfers", items, data))


async def _transfer(request: web.Request) -> web.Response:
    transfer = stored_object(Transfer, request["params"]["id"])
    if request.method == "POST":
        data = await _params_of(request)
        refuse_unknown(data, {"metadata", "description"})
        transfer.metadata = (transfer.metadata or {}) | metadata_param(data)
    return _respond(transfer)


async def _reversals(request: web.Request) -> web.Response:
    transfer = stored_object(Transfer, request["params"]["id"])
    if request.method == "POST":
        return _respond(create_reversal(transfer, await _params_of(request)))
    return _respond(transfer.reversals)


async def _payment_intents(request: web.Request) -> web.Response:
    return _respond(create_payment_intent(await _params_of(request)))


async def _payment_intent(request: web.Request) -> web.Response:
    intent = stored_object(PaymentIntent, request["params"]["id"])
    return _respond(update_payment_intent(intent, await _params_of(request)))


async def _confirm(request: web.Request) -> web.Response:
    intent = stored_object(PaymentIntent, request["params"]["id"])
    return _respond(confirm_payment_intent(intent, await _params_of(request)))


async def _cancel(request: web.Request) -> web.Response:
    intent = stored_object(PaymentIntent, request["params"]["id"])
    data = await _params_of(request)
    refuse_unknown(data, {"cancellation_reason"})
    if intent.status not in ("requires_payment_method", "requires_capture", "requires_confirmation",
                             "requires_action"):
        raise StripeError(400, f"You cannot cancel this PaymentIntent because it has a status of {intent.status}.",
                          code="payment_intent_unexpected_state")
    intent._canceled = True
    intent.next_action = None
    send_canceled_event(intent)
    return _respond(intent)


async def _refunds(request: web.Request) -> web.Response:
    return _respond(create_refund(await _params_of(request)))


async def _onboarding_page(request: web.Request) -> web.Response:
    token = request["params"]["token"]
    link = next((v for k, v in store.items() if k.startswith("account_link:") and v._token == token), None)
    if link is None or link.expires_at < time.time():
        return web.Response(status=410, text="This onboarding link has expired: ask for a new one.\n")
    stored_object(Account, link._account)._set_onboarded(True)
    back = f'<p><a href="{link._return_url}">Return to GigConnect</a></p>' if link._return_url else ""
    return web.Response(text=f"<html><body><h1>Onboarding complete</h1><p>{link._account} can receive payouts."
                        f"</p>{back}</body></html>", content_type="text/html")


async def _config_account(request: web.Request) -> web.Response:
    account = stored_object(Account, request["params"]["id"])
    data = await server.get_post_data(request) or {}
    account._set_onboarded(is_true(data.get("payouts_enabled", True)))
    return _respond(account)


async def _config_onboarding(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    mode = str(data.get("mode", ""))
    if mode not in ("instant", "link"):
        raise StripeError(400, "mode must be instant or link", param="mode")
    CONNECT["onboarding"] = mode
    return server.json_response({"onboarding": mode})


async def _config_faults(request: web.Request) -> web.Response:
    if request.method == "DELETE":
        FAULTS.clear()
        return server.json_response({"faults": []})
    data = await server.get_post_data(request) or {}
    try:
        re.compile(str(data["path"]))
        fault = {"method": str(data.get("method", "POST")).upper(), "path": str(data["path"]),
                 "status": int(data.get("status", 500)), "count": int(data.get("count", 1))}
    except (KeyError, ValueError, re.error):
        raise StripeError(400, "faults need path (a regular expression), status and count") from None
    FAULTS.append(fault)
    return server.json_response({"faults": FAULTS})


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
    patch_localstripe()
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
