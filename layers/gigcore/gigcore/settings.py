"""Typed settings: the only model that reads the environment.

Read once per cold start by :func:`gigcore.bootstrap.settings`; nothing else reads ``os.environ``.
Resource names are derived from the stack name exactly as ``infra/resources.yaml`` derives them
(``${AWS::StackName}-<suffix>``), so the template and the code cannot drift apart.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Queue keys, the suffix of each queue's name. Each has a dead-letter queue named ``<name>-dlq``.
QUEUE_KEYS: tuple[str, ...] = ("notifications", "payments", "search-indexing", "gig-matching")


class Settings(BaseSettings):
    """Everything GigConnect reads from its environment (prefix ``GIGCONNECT_``)."""

    model_config = SettingsConfigDict(env_prefix="GIGCONNECT_", extra="ignore", frozen=True)

    stage: str = "local"
    stack_name: str = "gigconnect-local"
    region: str = Field(default="us-east-1", validation_alias="AWS_DEFAULT_REGION")

    # Endpoints: unset in the cloud; the local stack points them at loopback.
    dynamodb_endpoint: str | None = None
    aws_endpoint: str | None = None
    ws_management_endpoint: str | None = None
    stripe_api_base: str | None = None
    connect_api_base: str | None = None

    attachments_bucket: str = "gigconnect-local-attachments"

    stripe_secret_key: SecretStr = SecretStr("sk_test_local")
    stripe_webhook_secret: SecretStr = SecretStr("whsec_local")
    cursor_secret: SecretStr = SecretStr("local-cursor-secret-change-me")
    jwt_secret: SecretStr = SecretStr("local-jwt-secret-change-me")

    search_backend: Literal["embedded", "opensearch"] = "embedded"
    search_path: str = ".data/search"
    opensearch_url: str | None = None

    platform_fee_bps: int = Field(default=1000, ge=0, le=10_000)
    auto_release_days: int = Field(default=7, ge=0)
    max_body_bytes: int = 256 * 1024

    access_token_ttl_seconds: int = Field(default=900, ge=60)
    refresh_token_ttl_days: int = Field(default=30, ge=1)
    verify_token_ttl_hours: int = Field(default=48, ge=1)
    reset_token_ttl_minutes: int = Field(default=60, ge=5)
    mail_from: str = "noreply@gigconnect.local"
    app_link_base: str = "gigconnect://"

    # Rate limits (token buckets): requests allowed per window.
    signup_per_ip_per_hour: int = Field(default=100, ge=1)
    login_per_email_per_15min: int = Field(default=10, ge=1)
    login_per_ip_per_15min: int = Field(default=300, ge=1)
    reset_per_email_per_hour: int = Field(default=5, ge=1)

    idempotency_ttl_hours: int = Field(default=48, ge=24)

    tracing: bool = False
    debug: bool = False

    @property
    def table_name(self) -> str:
        return f"{self.stack_name}-main"

    def queue_name(self, key: str) -> str:
        """Name of the SQS queue ``key`` (one of :data:`QUEUE_KEYS`)."""
        if key not in QUEUE_KEYS:
            raise KeyError(f"unknown queue {key!r}")
        return f"{self.stack_name}-{key}"

    def dead_letter_queue_name(self, key: str) -> str:
        return f"{self.queue_name(key)}-dlq"
