import pytest
from pydantic import ValidationError

from gigcore.settings import Settings


def test_the_local_secrets_are_refused_outside_the_local_stage(monkeypatch):
    monkeypatch.delenv("GIGCONNECT_JWT_SECRET", raising=False)
    monkeypatch.delenv("GIGCONNECT_CURSOR_SECRET", raising=False)
    monkeypatch.setenv("GIGCONNECT_STAGE", "prod")
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_from_secrets_manager_replace_the_local_ones(monkeypatch):
    monkeypatch.setenv("GIGCONNECT_STAGE", "prod")
    monkeypatch.setenv("GIGCONNECT_SECRETS_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x")
    loaded = Settings().with_secrets({"jwt_secret": "j" * 64, "stripe_secret_key": "sk_live_x"})
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
