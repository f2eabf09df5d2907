"""Runs localstripe on loopback with its state in a file of our choosing.

localstripe writes its whole state to a fixed ``/tmp/localstripe.pickle`` on every change and listens on
every interface; two instances on one machine (a test run beside ``make run``) would share that file.
This launcher points its store at ``--state`` (or keeps it in memory) and binds 127.0.0.1 only. It adds the
local Connect service of :mod:`infra.local.stripe_connect` (accounts, transfers, declines, idempotency...)
and, with ``--webhook-url``, delivers every event signed with the endpoint secret read from
``GIGCONNECT_STRIPE_WEBHOOK_SECRET`` (as a Stripe webhook endpoint would).

    python -m infra.local.stripe_server --port 8030 [--state .data/stripe/state.pickle] [--webhook-url URL]
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
from pathlib import Path
from typing import Any


def _persist_to(store_class: Any, state: Path | None) -> None:
    def load(self: Any) -> None:
        if state is None or not state.exists():
            return
        with state.open("rb") as handle:
            old = pickle.load(handle)  # noqa: S301 (our own file, written below)
        self.clear()
        self.update(old)

    def dump(self: Any) -> None:
        if state is None:
            return
        state.parent.mkdir(parents=True, exist_ok=True)
        partial = state.with_suffix(".tmp")
        with partial.open("wb") as handle:
            pickle.dump(dict(self), handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(state)

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state", type=Path, default=None, help="state file; in memory when omitted")
    parser.add_argument("--webhook-url", default=None, help="where events are delivered, signed")
    args = parser.parse_args()

    from aiohttp import web
    from localstripe import resources, server
    from localstripe.webhooks import register_webhook

    from infra.local import stripe_connect

    _persist_to(resources.Store, args.state)
    resources.store.try_load_from_disk()
    stripe_connect.install(server.app)
    if args.webhook_url:
        secret = os.environ.get("GIGCONNECT_STRIPE_WEBHOOK_SECRET", "")
        if not secret:
            parser.error("--webhook-url needs GIGCONNECT_STRIPE_WEBHOOK_SECRET in the environment")
        register_webhook("gigconnect", args.webhook_url, secret, None)
    # A local stand-in for Stripe, not GigConnect code: plain standard-library logging, no Powertools.
    logging.basicConfig(level=logging.WARNING)
    web.run_app(server.app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
