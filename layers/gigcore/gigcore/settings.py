"""Typed settings: the only model that reads the environment.

Read once per cold start by :func:`gigcore.bootstrap.settings`; nothing else reads ``os.environ``.
Resource names are derived from the stack name exactly as ``infra/resources.yaml`` derives them
(``${AWS::StackName}-<suffix>``), so the template and the code cannot drift apart.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOCAL_JWT_SECRET = "gigconnect-local-only-jwt-key-not-for-the-cloud"  # noqa: S105
_LOCAL_CURSOR_SECRET = "gigconnect-local-only-cursor-key-not-for-the-cloud"  # noqa: S105
#: The value infra/resources.yaml gives the keys an operator sets after the first deploy (`make secret`).
PLACEHOLDER = "set-me"
#: Stages that run on the local stack (or in tests), where the local defaults are allowed.
LOCAL_STAGES = ("local", "test")

#: Queue keys, the suffix of each queue's name. Each has a dead-letter queue named ``<name>-dlq``.
QUEUE_KEYS: tuple[str, ...] = ("notifications", "payments", "search-indexing", "gig-matching", "email", "sms", "push")


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
    # Local-only defaults. In the cloud these come from Secrets Manager (``secrets_arn``, a JSON object
    # with the same field names) and the defaults are refused outside the local stage.
    cursor_secret: SecretStr = SecretStr(_LOCAL_CURSOR_SECRET)
    jwt_secret: SecretStr = SecretStr(_LOCAL_JWT_SECRET)
    secrets_arn: str | None = None

    search_backend: Literal["embedded", "opensearch"] = "embedded"
    search_path: str = ".data/search"
    opensearch_url: str | None = None
    #: SigV4 signing name: ``es`` for an OpenSearch Service domain, ``aoss`` for a Serverless collection.
    opensearch_service: Literal["es", "aoss"] = "es"

    platform_fee_bps: int = Field(default=1000, ge=0, le=10_000)
    #: At most this many ``gig.nearby_match`` notifications per freelancer per (UTC) day.
    gig_matches_per_day: int = Field(default=5, ge=0)
    auto_release_days: int = Field(default=7, ge=0)
    #: Where Stripe's Connect onboarding sends a freelancer back to (the app's links).
    payout_return_url: str = "https://app.gigconnect.invalid/payout-account/done"
    payout_refresh_url: str = "https://app.gigconnect.invalid/payout-account/retry"
    max_body_bytes: int = 256 * 1024

    access_token_ttl_seconds: int = Field(default=900, ge=60)
    refresh_token_ttl_days: int = Field(default=30, ge=1)
    verify_token_ttl_hours: int = Field(default=48, ge=1)
    reset_token_ttl_minutes: int = Field(default=60, ge=5)
    mail_from: str = "noreply@gigconnect.local"
    #: SNS platform applications (created out of band in the cloud: CloudFormation has no resource for them).
    push_ios_application_arn: str | None = None
    push_android_application_arn: str | None = None
    app_link_base: str = "gigconnect://"
    # Template parameters passed through for the features that read them (comma-separated; empty for none).
    # Nothing reads these two yet: Google sign-in and browser (CORS) access are not part of the API today.
    google_client_ids: str = ""
    cors_allowed_origins: str = ""

    # Rate limits (token buckets): requests allowed per window.
    signup_per_ip_per_hour: int = Field(default=100, ge=1)
    login_per_email_per_15min: int = Field(default=10, ge=1)
    login_per_ip_per_15min: int = Field(default=300, ge=1)
    reset_per_email_per_hour: int = Field(default=5, ge=1)
    verify_requests_per_user_per_hour: int = Field(default=5, ge=1)
    #: Chat messages a user may send per 10 seconds, socket and REST together (a burst of that many).
    chat_messages_per_10s: int = Field(default=20, ge=1)
    #: How long a WebSocket's session may be trusted before it is read again (0: on every frame).
    chat_session_check_seconds: float = Field(default=5, ge=0, le=60)

    # Argon2id for passwords (OWASP's baseline). A login re-hashes a password stored with other parameters.
    password_hash_time_cost: int = Field(default=2, ge=1, le=10)
    password_hash_memory_kib: int = Field(default=19_456, ge=7_168, le=262_144)
    password_hash_parallelism: int = Field(default=1, ge=1, le=8)

    idempotency_ttl_hours: int = Field(default=48, ge=24)

    # Per-instance read caches (gigcore.cache): how long a copy may be served, and how many are kept.
    gig_cache_ttl_seconds: float = Field(default=10, gt=0, le=300)
    profile_cache_ttl_seconds: float = Field(default=30, gt=0, le=300)
    read_cache_max_entries: int = Field(default=2048, ge=1)

    # The geo layout job (gigcore.services.geo_layout, docs/geo.md "Changing a layout").
    #: Entries per partition key the layout aims at (a partition key is one storage partition: a hot key).
    geo_layout_target: int = Field(default=8000, ge=100)
    #: Entries move only when a partition holds more than target x (1 + this), or the layout has that much
    #: more split keys than the data needs; otherwise only the histogram is refreshed.
    geo_layout_threshold: float = Field(default=0.25, ge=0, le=10)
    #: The share of the table's capacity a move may take: write units per second (moves) and read units per
    #: second (the measuring scan).
    geo_layout_wcu_per_second: float = Field(default=50, gt=0)
    geo_layout_rcu_per_second: float = Field(default=1000, gt=0)
    #: Between phases of a move: longer than a container caches the layout (300 s), with margin.
    geo_layout_settle_seconds: float = Field(default=360, ge=0)
    #: A stable index is measured (a Scan of the whole table, throttled as above) at most this often.
    geo_layout_measure_every_seconds: float = Field(default=6 * 3600, ge=0)
    #: One scheduled run stops moving after this long and the next goes on (the function's timeout is 900 s).
    geo_layout_budget_seconds: float = Field(default=780, gt=0)

    #: The hot DynamoDB reads (a nearby page's Queries, BatchGetItem) sent by gigcore.adapters.dynamo_wire
    #: instead of botocore; false sends every call through botocore.
    dynamodb_direct_reads: bool = True
    tracing: bool = False
    debug: bool = False

    @model_validator(mode="after")
    def _no_local_secrets_in_the_cloud(self) -> Settings:
        if self.stage in LOCAL_STAGES:
            return self
        self._refuse_local_values()
        if self.secrets_arn is None:
            local = {self.jwt_secret.get_secret_value(), self.cursor_secret.get_secret_value()}
            if local & {_LOCAL_JWT_SECRET, _LOCAL_CURSOR_SECRET}:
                raise ValueError("set GIGCONNECT_SECRETS_ARN (or real secrets) outside the local stage")
            self._refuse_placeholder_secrets()
        return self

    def _refuse_placeholder_secrets(self) -> None:
        """A key still at its placeholder (or a local default, or empty) stops the start, naming the key."""
        local_defaults = {_LOCAL_JWT_SECRET, _LOCAL_CURSOR_SECRET, "sk_test_local", "whsec_local", "", PLACEHOLDER}
        secrets = {"stripe_secret_key": self.stripe_secret_key, "stripe_webhook_secret": self.stripe_webhook_secret,
                   "jwt_secret": self.jwt_secret, "cursor_secret": self.cursor_secret}
        for name, value in secrets.items():
            if value.get_secret_value().strip() in local_defaults:
                raise ValueError(f"the secret's {name} is not set ({PLACEHOLDER!r}, empty or a local default): "
                                 f"`make secret STAGE={self.stage} KEY={name}` sets it")

    def _refuse_local_values(self) -> None:
        """The local stack's sender and payout links are refused outside it, naming the setting."""
        for name, value, suffix in (("mail_from", self.mail_from, ".local"),
                                    ("payout_return_url", self.payout_return_url, ".invalid"),
                                    ("payout_refresh_url", self.payout_refresh_url, ".invalid")):
            host = value.split("/")[2] if "://" in value else value.rsplit("@", 1)[-1]
            if host.endswith(suffix):
                raise ValueError(f"{name} is the local stack's {value!r}: set GIGCONNECT_{name.upper()} "
                                 f"(a template parameter) for the {self.stage} stage")

    def with_secrets(self, values: dict[str, str]) -> Settings:
        """A copy with the secrets loaded from Secrets Manager."""
        known = {"jwt_secret", "cursor_secret", "stripe_secret_key", "stripe_webhook_secret"}
        loaded = {k: v for k, v in values.items() if k in known}
        if "jwt_secret" not in loaded:
            raise ValueError("the secret has no jwt_secret")
        if "cursor_secret" not in loaded:
            # CloudFormation generates one random key per secret: derive the cursor key from it.
            loaded["cursor_secret"] = hmac.new(loaded["jwt_secret"].encode(), b"gigconnect-cursor",
                                               hashlib.sha256).hexdigest()
        copy = self.model_copy(update={k: SecretStr(v) for k, v in loaded.items()})
        if copy.stage not in LOCAL_STAGES:
            copy._refuse_placeholder_secrets()  # model_copy does not validate again
        return copy

    @property
    def idempotency_hash_key(self) -> bytes:
        """The key of the idempotency records' request hashes (HMAC-SHA256), derived from the JWT key so
        that there is no other secret to provision; a table read alone cannot check a guessed password."""
        return hmac.new(self.jwt_secret.get_secret_value().encode(), b"gigconnect-idempotency-request",
                        hashlib.sha256).digest()

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
