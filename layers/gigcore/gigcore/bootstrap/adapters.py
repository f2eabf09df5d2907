"""The adapter factory: every port's adapter, built from the settings on first use, once per process.

Each adapter module (and the SDK it wraps: stripe, opensearch-py, tantivy, argon2, boto3's clients) is imported
only when its property is first read, so a cold start pays only for what its first request uses.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Generic, TypeVar, cast, overload

if TYPE_CHECKING:
    from pynamodb.connection import Connection
    from types_boto3_dynamodb import DynamoDBClient

    from gigcore.adapters.aws import AwsClients
    from gigcore.adapters.dynamo_contracts import DynamoApplicationReader, DynamoContractReader
    from gigcore.adapters.dynamo_geo import DynamoGeoLayouts
    from gigcore.adapters.dynamo_gigs import DynamoGigReader
    from gigcore.domain.cursor import CursorCodec
    from gigcore.ports import ConnectionNotifier, ProcessedEvents, Queue
    from gigcore.ports.auth import (
        AccessTokens,
        IdempotencyStore,
        Mailer,
        OneTimeTokenStore,
        PasswordHasher,
        RateLimiter,
        RefreshTokenStore,
        UserRepository,
    )
    from gigcore.ports.chat import ChatStore, ConnectionStore, ObjectStore
    from gigcore.ports.clock import Clock
    from gigcore.ports.escrow import PayoutAccountStore
    from gigcore.ports.gigs import GeoIndex, GeoLayoutStore
    from gigcore.ports.notifications import MatchQuota, NotificationStore, PushSender, SmsSender
    from gigcore.ports.outbox import ChangeStreamReader
    from gigcore.ports.payments import PaymentGateway
    from gigcore.ports.reviews import ReviewStore
    from gigcore.ports.search import SearchIndex
    from gigcore.ports.unit_of_work import UnitOfWorkFactory
    from gigcore.settings import Settings


T = TypeVar("T")


class OnTable(Generic[T]):
    """An adapter of the main table, built on first read as ``cls(dynamodb, table_name, *uses)``.

    ``path`` names ``cls`` as ``module:Class`` within ``gigcore.adapters`` (the module is imported then, not
    before); ``uses`` names the other adapters it is handed. The value is kept once per instance, as
    ``functools.cached_property`` keeps it (a test replaces it by setting the instance's ``__dict__``).
    The class is found by name, so mypy does not see it: tests/unit/test_bootstrap_adapters.py builds each one
    and checks it against the type its attribute is declared with."""

    def __init__(self, path: str, *uses: str) -> None:
        self.path = path
        self.uses = uses
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> OnTable[T]: ...
    @overload
    def __get__(self, instance: Adapters, owner: type) -> T: ...

    def __get__(self, instance: Adapters | None, owner: type) -> T | OnTable[T]:
        if instance is None:
            return self
        module, _, name = self.path.partition(":")
        cls = getattr(importlib.import_module(f"gigcore.adapters.{module}"), name)
        uses = (getattr(instance, u) for u in self.uses)
        value = cast(T, cls(instance.dynamodb, instance.settings.table_name, *uses))
        instance.__dict__[self._name] = value
        return value


class Adapters:
    """Adapters built on first use. Tests replace one by setting it in the instance's ``__dict__``."""

    def __init__(self, config: Settings) -> None:
        self.settings = config

    # ---- time, AWS clients ----------------------------------------------------------------------

    @functools.cached_property
    def clock(self) -> Clock:
        from gigcore.adapters.system_clock import SystemClock

        return SystemClock()

    @functools.cached_property
    def aws(self) -> AwsClients:
        from gigcore.adapters.aws import AwsClients

        return AwsClients(self.settings)

    @functools.cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self.aws.client("dynamodb")

    @functools.cached_property
    def pynamodb(self) -> Connection:
        from pynamodb.connection import Connection

        from gigcore.adapters.dynamo_models import bind

        s = self.settings
        bind(s.table_name, s.dynamodb_endpoint, s.region)
        return Connection(region=s.region, host=s.dynamodb_endpoint)

    @functools.cached_property
    def cursors(self) -> CursorCodec:
        from gigcore.domain.cursor import CursorCodec

        return CursorCodec(self.settings.cursor_secret.get_secret_value().encode())

    # ---- messaging --------------------------------------------------------------------------------

    @functools.cached_property
    def queue(self) -> Queue:
        from gigcore.adapters.sqs_queue import SqsQueue

        return SqsQueue(self.aws.client("sqs"), self.settings)

    @functools.cached_property
    def stream_records(self) -> ChangeStreamReader:
        """What each record of the main table's stream says (the outbox router's input)."""
        from gigcore.adapters.dynamo_outbox import DynamoStreamRecords

        return DynamoStreamRecords()

    @functools.cached_property
    def connections(self) -> ConnectionNotifier:
        from gigcore.adapters.websocket import ApiGatewayConnectionNotifier

        return ApiGatewayConnectionNotifier(self.aws.client("apigatewaymanagementapi"))

    @functools.cached_property
    def mailer(self) -> Mailer:
        from gigcore.adapters.ses_mailer import SesMailer

        return SesMailer(self.aws.client("ses"), self.settings.mail_from)

    @functools.cached_property
    def push(self) -> PushSender:
        from gigcore.adapters.sns import SnsPushSender

        s = self.settings
        applications = {k: v for k, v in (("ios", s.push_ios_application_arn),
                                           ("android", s.push_android_application_arn)) if v}
        return SnsPushSender(self.aws.client("sns"), applications)

    @functools.cached_property
    def sms(self) -> SmsSender:
        from gigcore.adapters.sns import SnsSmsSender

        return SnsSmsSender(self.aws.client("sns"))

    # ---- search, payments ---------------------------------------------------------------------------

    @functools.cached_property
    def search_index(self) -> SearchIndex:
        from gigcore.domain.errors import UpstreamUnavailableError

        s = self.settings
        if s.search_backend == "opensearch":
            from gigcore.adapters.opensearch_search import OpenSearchSearchIndex, client_for

            if not s.opensearch_url:
                raise UpstreamUnavailableError("The search service is not configured.")
            local = s.opensearch_url.startswith("http://")
            client = client_for(s.opensearch_url, s.region, local=local, service=s.opensearch_service)
            return OpenSearchSearchIndex(client, prefix=s.stack_name)
        from gigcore.adapters.tantivy_search import TantivySearchIndex

        return TantivySearchIndex(s.search_path)

    @functools.cached_property
    def payments(self) -> PaymentGateway:
        from gigcore.adapters.stripe_payments import StripePaymentGateway

        s = self.settings
        return StripePaymentGateway(s.stripe_secret_key.get_secret_value(), s.stripe_webhook_secret.get_secret_value(),
                                    api_base=s.stripe_api_base)

    # ---- DynamoDB repositories and stores ---------------------------------------------------------

    @functools.cached_property
    def geo_layouts(self) -> DynamoGeoLayouts:
        from gigcore.adapters.dynamo_geo import DynamoGeoLayouts

        _ = self.pynamodb  # binds the models
        return DynamoGeoLayouts()

    @functools.cached_property
    def unit_of_work(self) -> UnitOfWorkFactory:
        """Makes the units of work of the main table (``gigcore.ports.unit_of_work``), reading through the
        readers below (``gigs``, ``applications``, ``contracts``)."""
        from gigcore.adapters.dynamo_unit_of_work import unit_of_work_factory

        return unit_of_work_factory(self.dynamodb, self.settings.table_name, self.gigs, self.applications,
                                    self.contracts)

    @functools.cached_property
    def gig_geo(self) -> GeoIndex:
        from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoIndex

        return DynamoGeoIndex(self.dynamodb, self.settings.table_name, GIG_INDEX, self.geo_layouts)

    @functools.cached_property
    def freelancer_geo(self) -> GeoIndex:
        from gigcore.adapters.dynamo_geo import FREELANCER_INDEX, DynamoGeoIndex

        return DynamoGeoIndex(self.dynamodb, self.settings.table_name, FREELANCER_INDEX, self.geo_layouts)

    @functools.cached_property
    def attachments(self) -> ObjectStore:
        from gigcore.adapters.s3_store import S3ObjectStore

        return S3ObjectStore(self.aws.client("s3"), self.settings.attachments_bucket)

    # ---- sign-in ----------------------------------------------------------------------------------

    @functools.cached_property
    def password_hasher(self) -> PasswordHasher:
        from gigcore.adapters.passwords import Argon2PasswordHasher

        s = self.settings
        return Argon2PasswordHasher(time_cost=s.password_hash_time_cost, memory_kib=s.password_hash_memory_kib,
                                    parallelism=s.password_hash_parallelism)

    @functools.cached_property
    def access_tokens(self) -> AccessTokens:
        from gigcore.adapters.jwt_tokens import JwtAccessTokens

        s = self.settings
        return JwtAccessTokens(s.jwt_secret.get_secret_value().encode(), s.access_token_ttl_seconds)

    @functools.cached_property
    def idempotency(self) -> IdempotencyStore:
        from gigcore.adapters.dynamo_idempotency import DynamoIdempotencyStore

        return DynamoIdempotencyStore(self.dynamodb, self.settings.table_name,
                                      self.settings.idempotency_ttl_hours * 3600)

    # ---- the main table's adapters: cls(dynamodb, table_name, *uses), built on first read ------------------

    processed_events: OnTable[ProcessedEvents] = OnTable("dynamo_outbox:DynamoProcessedEvents")
    users: OnTable[UserRepository] = OnTable("dynamo_users:DynamoUserRepository", "geo_layouts")
    gigs: OnTable[DynamoGigReader] = OnTable("dynamo_gigs:DynamoGigReader", "geo_layouts")
    applications: OnTable[DynamoApplicationReader] = OnTable("dynamo_contracts:DynamoApplicationReader")
    contracts: OnTable[DynamoContractReader] = OnTable("dynamo_contracts:DynamoContractReader")
    payout_accounts: OnTable[PayoutAccountStore] = OnTable("dynamo_escrow:DynamoPayoutAccountStore")
    review_store: OnTable[ReviewStore] = OnTable("dynamo_reviews:DynamoReviewStore")
    geo_layout_store: OnTable[GeoLayoutStore] = OnTable("dynamo_geo:DynamoGeoLayoutStore", "geo_layouts")
    notification_store: OnTable[NotificationStore] = OnTable("dynamo_notifications:DynamoNotificationStore")
    match_quota: OnTable[MatchQuota] = OnTable("dynamo_notifications:DynamoMatchQuota")
    chats: OnTable[ChatStore] = OnTable("dynamo_chat:DynamoChatRepository")
    chat_connections: OnTable[ConnectionStore] = OnTable("dynamo_chat:DynamoConnectionRepository")
    refresh_tokens: OnTable[RefreshTokenStore] = OnTable("dynamo_tokens:DynamoRefreshTokenStore")
    one_time_tokens: OnTable[OneTimeTokenStore] = OnTable("dynamo_tokens:DynamoOneTimeTokenStore")
    rate_limiter: OnTable[RateLimiter] = OnTable("dynamo_rate_limit:DynamoRateLimiter")
