"""Deployment helpers behind `make deploy`, `make secret` and `make stripe-webhook` (docs/deployment.md).

    python -m infra.deploy check STAGE                 # refuse a dirty tree, a stale render, placeholder parameters
    python -m infra.deploy secret STAGE KEY            # set one key of the stage's secret (value read from stdin)
    python -m infra.deploy stripe-webhook STAGE URL    # register Stripe's webhook endpoint, store its signing secret

``secret`` reads the secret, changes one key and writes the whole object back, so the other keys
(the generated ``jwt_secret`` above all) are kept. The value is read from standard input (or a hidden prompt),
never from the command line, which shells keep in their history.
"""

from __future__ import annotations

import argparse
import getpass
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMCONFIG = REPO / "samconfig.toml"
#: The keys of the stage's secret (gigcore.settings.Settings.with_secrets reads these).
SECRET_KEYS = ("stripe_secret_key", "stripe_webhook_secret", "jwt_secret", "cursor_secret")
#: A parameter value containing this is a placeholder left in samconfig.toml.
PLACEHOLDER_MARK = "example"
#: Stripe events the webhook view turns into work (gigcore.services.escrow.on_stripe_event).
STRIPE_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
                 "payment_intent.processing", "payment_intent.requires_action", "charge.refunded")


def stage_config(stage: str, path: Path = SAMCONFIG) -> dict[str, Any]:
    """The ``sam deploy`` parameters of ``stage`` in samconfig.toml."""
    config = tomllib.loads(path.read_text())
    if stage not in config or "deploy" not in config[stage]:
        known = sorted(k for k, v in config.items() if isinstance(v, dict) and "deploy" in v)
        raise SystemExit(f"no stage {stage!r} in samconfig.toml (known: {', '.join(known)})")
    parameters: dict[str, Any] = config[stage]["deploy"]["parameters"]
    return parameters


def parameter_overrides(parameters: dict[str, Any]) -> dict[str, str]:
    overrides = parameters.get("parameter_overrides", [])
    items = overrides if isinstance(overrides, list) else overrides.split()
    return dict(item.split("=", 1) for item in items)


def secret_id(stage: str) -> tuple[str, str]:
    """(secret name, region) of a stage: infra/resources.yaml names it ``<stack>/app``."""
    parameters = stage_config(stage)
    return f"{parameters['stack_name']}/app", parameters["region"]


# ---- check ------------------------------------------------------------------------------------------------


def problems_before_deploy(stage: str, *, status: str, stale: list[str]) -> list[str]:
    """Why ``stage`` must not be deployed now (empty: go)."""
    problems = []
    if status.strip():
        problems.append("the working tree has changes that are not committed (what is deployed must be a "
                        "commit):\n" + status.rstrip())
    problems += [f"{path} is stale: run `make render` and commit it" for path in stale]
    overrides = parameter_overrides(stage_config(stage))
    if overrides.get("Stage") != stage:
        problems.append(f"samconfig.toml's {stage} stage passes Stage={overrides.get('Stage')}")
    placeholders = [k for k, v in overrides.items() if PLACEHOLDER_MARK in v]
    if placeholders:
        problems.append(f"samconfig.toml's {stage} stage still has placeholder values: {', '.join(placeholders)}")
    return problems


def check(stage: str) -> int:
    from infra import render

    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=normal"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    config_text, template_text = render.render()
    stale = [str(path.relative_to(REPO)) for path, text in ((render.CONFIG, config_text),
                                                            (render.TEMPLATE, template_text))
             if not path.exists() or path.read_text() != text]
    problems = problems_before_deploy(stage, status=status, stale=stale)
    for problem in problems:
        print(f"refusing to deploy {stage}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{stage}: the tree is clean and the render is fresh")
    return 1 if problems else 0


# ---- secrets ----------------------------------------------------------------------------------------------


def set_secret_key(client: Any, secret: str, key: str, value: str) -> list[str]:
    """Set ``key`` in the JSON secret, keeping every other key; returns the keys the secret now has."""
    if key not in SECRET_KEYS:
        raise SystemExit(f"unknown key {key!r}: the secret's keys are {', '.join(SECRET_KEYS)}")
    if not value.strip() or value.strip() == "set-me":
        raise SystemExit(f"refusing to set {key} to an empty or placeholder value")
    current = json.loads(client.get_secret_value(SecretId=secret)["SecretString"])
    if not isinstance(current, dict):
        raise SystemExit(f"{secret} is not a JSON object")
    current[key] = value.strip()
    client.put_secret_value(SecretId=secret, SecretString=json.dumps(current))
    return sorted(current)


def _read_value(key: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"{key}: ")
    return sys.stdin.readline().rstrip("\n")


def secret(stage: str, key: str) -> int:
    import boto3

    name, region = secret_id(stage)
    keys = set_secret_key(boto3.client("secretsmanager", region_name=region), name, key, _read_value(key))
    print(f"{name}: {key} set; the secret has {', '.join(keys)}. Functions read it at their next cold start.")
    return 0


# ---- Stripe's webhook endpoint ----------------------------------------------------------------------------


def register_stripe_webhook(stripe_key: str, url: str, *, http_client: Any = None) -> tuple[str, str]:
    """Create the webhook endpoint Stripe posts GigConnect's events to: (endpoint id, its signing secret)."""
    import stripe

    client = stripe.StripeClient(stripe_key, http_client=http_client, max_network_retries=2)
    endpoint = client.v1.webhook_endpoints.create(params={
        "url": url, "enabled_events": list(STRIPE_EVENTS),  # type: ignore[arg-type]  # Stripe types them as literals
        "description": "GigConnect: payment intents and refunds (escrow)"})
    return str(endpoint.id), str(endpoint.secret)


def stripe_webhook(stage: str, url: str) -> int:
    import boto3

    if not url.startswith("https://") or not url.rstrip("/").endswith("/webhooks/stripe"):
        raise SystemExit("the URL is the stage's https://.../api/webhooks/stripe (EndpointURL + webhooks/stripe)")
    name, region = secret_id(stage)
    client = boto3.client("secretsmanager", region_name=region)
    current = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
    key = current.get("stripe_secret_key", "set-me")
    if key == "set-me":
        raise SystemExit(f"set stripe_secret_key first: make secret STAGE={stage} KEY=stripe_secret_key")
    endpoint_id, signing_secret = register_stripe_webhook(key, url)
    set_secret_key(client, name, "stripe_webhook_secret", signing_secret)
    print(f"Stripe webhook endpoint {endpoint_id} posts to {url}; its signing secret is in {name}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check").add_argument("stage")
    secret_parser = commands.add_parser("secret")
    secret_parser.add_argument("stage")
    secret_parser.add_argument("key", choices=SECRET_KEYS)
    webhook_parser = commands.add_parser("stripe-webhook")
    webhook_parser.add_argument("stage")
    webhook_parser.add_argument("url")
    args = parser.parse_args()
    if args.command == "check":
        return check(args.stage)
    if args.command == "secret":
        return secret(args.stage, args.key)
    return stripe_webhook(args.stage, args.url)


if __name__ == "__main__":
    sys.exit(main())
