import pytest
from pydantic import ValidationError

from gigcore.settings import Settings


def test_the_local_secrets_are_refused_outside_the_local_stage(monkeypatch):
    monkeypatch.delenv("GIGCONNECT_JWT_SECRET", raising=False)
    monkeypatch.delenv("GIGCONNECT_CURSOR_SECRET", raising=False)
    monkeypatch.setenv("GIGCONNECT_STAGE", "prod")
    with pytest.raises(ValidationError):
        Settings()


def cloud_env(monkeypatch):
    for key in ("JWT_SECRET", "CURSOR_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(f"GIGCONNECT_{key}", raising=False)  # the local stack's, when its tests ran first
    monkeypatch.setenv("GIGCONNECT_STAGE", "prod")
    monkeypatch.setenv("GIGCONNECT_SECRETS_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x")
    monkeypatch.setenv("GIGCONNECT_MAIL_FROM", "noreply@gigconnect.example")
    monkeypatch.setenv("GIGCONNECT_PAYOUT_RETURN_URL", "https://app.gigconnect.example/payout-account/done")
    monkeypatch.setenv("GIGCONNECT_PAYOUT_REFRESH_URL", "https://app.gigconnect.example/payout-account/retry")


def test_secrets_from_secrets_manager_replace_the_local_ones(monkeypatch):
    cloud_env(monkeypatch)
    loaded = Settings().with_secrets({"jwt_secret": "j" * 64, "stripe_secret_key": "sk_live_x",
                                      "stripe_webhook_secret": "whsec_x"})
    assert loaded.jwt_secret.get_secret_value() == "j" * 64
    assert len(loaded.cursor_secret.get_secret_value()) == 64
    assert loaded.cursor_secret.get_secret_value() != loaded.jwt_secret.get_secret_value()


def test_resource_names_follow_the_stack_name(monkeypatch):
    monkeypatch.setenv("GIGCONNECT_STAGE", "local")
    monkeypatch.setenv("GIGCONNECT_STACK_NAME", "gc-prod")
    settings = Settings()
    assert settings.table_name == "gc-prod-main"
    assert settings.queue_name("payments") == "gc-prod-payments"
    assert settings.dead_letter_queue_name("payments") == "gc-prod-payments-dlq"


@pytest.mark.parametrize("key", ["stripe_secret_key", "stripe_webhook_secret"])
def test_a_key_left_at_its_placeholder_stops_the_start_in_the_cloud_naming_the_key(monkeypatch, key):
    """issue 18 item 3: the secret is created with "set-me" for the Stripe keys."""
    cloud_env(monkeypatch)
    secret = {"jwt_secret": "j" * 64, "stripe_secret_key": "sk_live_x", "stripe_webhook_secret": "whsec_x"}
    with pytest.raises(ValueError, match=f"the secret's {key} is not set"):
        Settings().with_secrets(secret | {key: "set-me"})
    with pytest.raises(ValueError, match=f"the secret's {key} is not set"):
        Settings().with_secrets({k: v for k, v in secret.items() if k != key})  # missing: the local default


@pytest.mark.parametrize("name", ["mail_from", "payout_return_url", "payout_refresh_url"])
def test_the_local_sender_and_payout_links_are_refused_in_the_cloud_naming_the_setting(monkeypatch, name):
    cloud_env(monkeypatch)
    monkeypatch.delenv(f"GIGCONNECT_{name.upper()}")
    with pytest.raises(ValidationError, match=name):
        Settings()


def test_the_local_stack_keeps_its_placeholders(monkeypatch):
    monkeypatch.setenv("GIGCONNECT_STAGE", "local")
    monkeypatch.setenv("GIGCONNECT_STRIPE_WEBHOOK_SECRET", "set-me")
    settings = Settings()
    assert settings.mail_from.endswith(".local")
    assert settings.with_secrets({"jwt_secret": "j" * 64, "stripe_secret_key": "set-me"}).stage == "local"


def test_the_opensearch_signing_service_follows_the_setting(monkeypatch):
    from gigcore.adapters.opensearch_search import client_for

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("GIGCONNECT_OPENSEARCH_SERVICE", "aoss")
    settings = Settings()
    assert settings.opensearch_service == "aoss"
    client = client_for("https://abc.us-east-1.aoss.amazonaws.com", "us-east-1", local=False,
                        service=settings.opensearch_service)
    assert client.transport.kwargs["http_auth"].service == "aoss"
    domain = client_for("https://search-x.us-east-1.es.amazonaws.com", "us-east-1", local=False)
    assert domain.transport.kwargs["http_auth"].service == "es"
    with pytest.raises(ValueError):
        client_for("https://x", "us-east-1", local=False, service="opensearch")
