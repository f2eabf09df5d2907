"""`make deploy`, `make secret` and samconfig.toml (issue 18 items 2 and 3)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from infra import deploy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template() -> dict:
    return yaml.safe_load((REPO / "template.yaml").read_text())


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_samconfig_gives_each_stage_every_required_parameter_and_no_unknown_one(template, stage):
    parameters = deploy.stage_config(stage)
    assert parameters["stack_name"] == f"gigconnect-{stage}"
    assert parameters["template_file"] == "template.yaml"
    overrides = deploy.parameter_overrides(parameters)
    declared = template["Parameters"]
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert required <= set(overrides), required - set(overrides)
    assert set(overrides) <= set(declared), set(overrides) - set(declared)
    assert overrides["Stage"] == stage
    for name, value in overrides.items():
        spec = declared[name]
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], (name, value)


def test_deploy_refuses_a_dirty_tree_a_stale_render_and_placeholder_parameters():
    problems = deploy.problems_before_deploy("dev", status=" M infra/resources.yaml\n", stale=["template.yaml"])
    assert any("not committed" in p and "infra/resources.yaml" in p for p in problems)
    assert "template.yaml is stale: run `make render` and commit it" in problems
    assert any("placeholder values: MailFrom, SesIdentity" in p for p in problems)  # samconfig's examples


def test_make_n_deploy_shows_the_sam_deploy_it_would_run_and_an_unknown_stage_is_refused():
    dry = subprocess.run(["make", "-n", "deploy", "STAGE=dev"], cwd=REPO, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "-m infra.deploy check dev" in dry.stdout
    assert "sam deploy --config-file samconfig.toml --config-env dev" in dry.stdout
    refused = subprocess.run(["make", "deploy", "STAGE=staging"], cwd=REPO, capture_output=True, text=True)
    assert refused.returncode != 0 and "STAGE=dev or STAGE=prod" in refused.stdout
    smoke = subprocess.run(["make", "-n", "smoke", "URL=https://a.example/api", "WS=wss://b.example/api"],
                           cwd=REPO, capture_output=True, text=True)
    assert "GIGCONNECT_SMOKE_API_URL=https://a.example/api" in smoke.stdout and "tests/e2e" in smoke.stdout


@mock_aws
def test_setting_one_key_of_the_secret_keeps_the_others(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name="gigconnect-dev/app", SecretString=json.dumps(
        {"jwt_secret": "generated", "stripe_secret_key": "set-me", "stripe_webhook_secret": "set-me"}))
    keys = deploy.set_secret_key(client, "gigconnect-dev/app", "stripe_secret_key", "sk_live_123\n")
    assert keys == ["jwt_secret", "stripe_secret_key", "stripe_webhook_secret"]
    stored = json.loads(client.get_secret_value(SecretId="gigconnect-dev/app")["SecretString"])
    assert stored == {"jwt_secret": "generated", "stripe_secret_key": "sk_live_123", "stripe_webhook_secret": "set-me"}
    with pytest.raises(SystemExit, match="unknown key"):
        deploy.set_secret_key(client, "gigconnect-dev/app", "stripe_key", "x")
    with pytest.raises(SystemExit, match="placeholder"):
        deploy.set_secret_key(client, "gigconnect-dev/app", "stripe_webhook_secret", "set-me")
    assert deploy.secret_id("prod") == ("gigconnect-prod/app", "af-south-1")


def test_the_stripe_webhook_endpoint_is_registered_for_the_events_the_escrow_applies():
    """A unit test of the command with Stripe's HTTP answer given by hand (no network here)."""
    from urllib.parse import parse_qs

    from stripe._http_client import HTTPClient

    class Answering(HTTPClient):
        name = "answering"
        sent: list[tuple[str, str, str]] = []

        def request(self, method, url, headers, post_data=None, *, _usage=None):
            self.sent.append((method, url, post_data))
            body = {"id": "we_123", "object": "webhook_endpoint", "secret": "whsec_new", "url": "u"}
            return json.dumps(body), 200, {}

    client = Answering()
    endpoint, secret = deploy.register_stripe_webhook("sk_test_x", "https://api.example/api/webhooks/stripe",
                                                      http_client=client)
    assert (endpoint, secret) == ("we_123", "whsec_new")
    ((method, url, body),) = client.sent
    assert method == "post" and url == "https://api.stripe.com/v1/webhook_endpoints"
    form = parse_qs(body)
    assert form["url"] == ["https://api.example/api/webhooks/stripe"]
    events = {v for key, values in form.items() if key.startswith("enabled_events") for v in values}
    assert events == set(deploy.STRIPE_EVENTS)
