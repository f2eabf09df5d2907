"""The composition root: reads settings once and wires adapters lazily, once per cold start.

Handlers call :func:`container` and hand what it builds to services. Nothing else creates clients or
reads the environment. Heavy SDKs (stripe, opensearchpy) are imported only by the adapters that need them,
when first asked for.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from gigcore.domain.clock import utc_now
from gigcore.domain.cursor import CursorCodec
from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.ports import ConnectionNotifier, DependencyProbe, OutboxEvent, ProcessedEvents, Queue, TransactionalOutbox
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
from gigcore.ports.contracts import ApplicationReader, ContractReader
from gigcore.ports.gigs import GeoIndex, GigReader
from gigcore.ports.payments import PaymentGateway
from gigcore.ports.search import SearchIndex
from gigcore.ports.unit_of_work import UnitOfWorkFactory
from gigcore.services import auth
from gigcore.services.events import EventBus
from gigcore.settings import Settings

if TYPE_CHECKING:
    from gigcore.adapters.dynamo_geo import DynamoGeoLayouts
    from gigcore.cache import TtlLruCache
    from gigcore.domain.gigs import Gig
    from gigcore.domain.users import User


@functools.cache
def settings() -> Settings:
    config = Settings()
    if config.secrets_arn:
        config = config.with_secrets(_load_secrets(config))
    return config


def _load_secrets(config: Settings) -> dict[str, str]:
    """The JSON secret at ``secrets_arn`` (read once per cold start)."""
    import json

    from gigcore.adapters.aws import AwsClients

    answer = AwsClients(config).client("secretsmanager").get_secret_value(SecretId=str(config.secrets_arn))
    values = json.loads(answer["SecretString"])
    if not isinstance(values, dict):
        raise ValueError("the secret must be a JSON object")
    return {str(k): str(v) for k, v in values.items()}


class Container:
    """Adapters built on first use. One instance per process (per Lambda cold start)."""

    def __init__(self, config: Settings) -> None:
        self.settings = config
        self.bus = EventBus()
        if config.tracing:
            from gigcore.observability import tracer

            tracer()
        self._subscribe()

    def _subscribe(self) -> None:
        """Which event handlers each queue consumer runs (the consumers live in functions/app.py)."""

        def send_verification(event: OutboxEvent) -> None:
            email = auth.prepare_verification_email(
                str(event.payload["user_id"]), ports=self.auth_ports, policy=self.auth_policy,
                link_base=self.settings.app_link_base, now=utc_now())
            if email is not None:
                self.mailer.send(email.to, email.subject, email.text, email.html)

        def send_reset(event: OutboxEvent) -> None:
            email = auth.prepare_reset_email(
                str(event.payload["email"]), ports=self.auth_ports, policy=self.auth_policy,
                link_base=self.settings.app_link_base, now=utc_now())
            if email is not None:
                self.mailer.send(email.to, email.subject, email.text, email.html)

        self.bus.subscribe("notifications", auth.EMAIL_VERIFICATION_REQUESTED, send_verification)
        self.bus.subscribe("notifications", auth.PASSWORD_RESET_REQUESTED, send_reset)
        self._subscribe_notifications()
        self._subscribe_cache_invalidation()

    def _subscribe_cache_invalidation(self) -> None:
        """A process that hears of a gig's change forgets its cached copy (the others wait for the TTL)."""
        from gigcore.services.gigs import GIG_CLOSED, GIG_UPDATED, SEARCH_QUEUE

        def forget_gig(event: OutboxEvent) -> None:
            self.gig_cache.invalidate(str(event.payload["gig_id"]))

        for kind in (GIG_UPDATED, GIG_CLOSED):
            self.bus.subscribe(SEARCH_QUEUE, kind, forget_gig)

    def _subscribe_notifications(self) -> None:
        from gigcore.domain.notifications import TEMPLATES
        from gigcore.services import notifications

        def fan_out(event: OutboxEvent) -> None:
            notifications.fan_out(event, ports=self.notification_ports, now=utc_now())

        for kind in TEMPLATES:
            self.bus.subscribe("notifications", kind, fan_out)
        self.bus.subscribe("email", "channel.email",
                           lambda e: notifications.send_email(e, ports=self.notification_ports))
        self.bus.subscribe("sms", "channel.sms", lambda e: notifications.send_sms(e, ports=self.notification_ports))

        def push(event: OutboxEvent) -> None:
            notifications.send_push(event, ports=self.notification_ports)

        self.bus.subscribe("push", "channel.push", push)
        self._subscribe_matching()

    def _subscribe_matching(self) -> None:
        from gigcore.services import matching
        from gigcore.services.gigs import GIG_CREATED, MATCHING_QUEUE

        def match(event: OutboxEvent) -> None:
            matching.match_gig(event, ports=self.matching_ports, policy=self.matching_policy, now=utc_now())

        self.bus.subscribe(MATCHING_QUEUE, GIG_CREATED, match)
        self._subscribe_applications()
        self._subscribe_search()
        self._subscribe_payments()

    def _subscribe_payments(self) -> None:
        from gigcore.services.escrow import PAYMENTS_QUEUE, STRIPE_EVENT

        def apply(event: OutboxEvent) -> None:
            self.escrow.on_stripe_event(str(event.payload["type"]), str(event.payload["object_id"]), utc_now())

        self.bus.subscribe(PAYMENTS_QUEUE, STRIPE_EVENT, apply)

    def _subscribe_applications(self) -> None:
        from gigcore.services.applications import GIG_LIFECYCLE_QUEUE, OpenApplicationsRejector
        from gigcore.services.gigs import GIG_CLOSED

        def close(event: OutboxEvent) -> None:
            OpenApplicationsRejector(self.application_ports).on_gig_closed(str(event.payload["gig_id"]), utc_now())

        self.bus.subscribe(GIG_LIFECYCLE_QUEUE, GIG_CLOSED, close)

    def _subscribe_search(self) -> None:
        from gigcore.services import search
        from gigcore.services.gigs import GIG_CLOSED, GIG_CREATED, GIG_UPDATED, SEARCH_QUEUE
        from gigcore.services.users import FREELANCER_CHANGED

        def index_gig(event: OutboxEvent) -> None:
            search.index_gig_event(event, index=self.search_index)

        for kind in (GIG_CREATED, GIG_UPDATED, GIG_CLOSED):
            self.bus.subscribe(SEARCH_QUEUE, kind, index_gig)

        def index_freelancer(event: OutboxEvent) -> None:
            search.index_freelancer_event(event, index=self.search_index)

        self.bus.subscribe(SEARCH_QUEUE, FREELANCER_CHANGED, index_freelancer)

    @functools.cached_property
    def search_index(self) -> SearchIndex:
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
    def aws(self) -> Any:
        from gigcore.adapters.aws import AwsClients

        return AwsClients(self.settings)

    @functools.cached_property
    def dynamodb(self) -> Any:
        return self.aws.client("dynamodb")

    @functools.cached_property
    def queue(self) -> Queue:
        from gigcore.adapters.sqs_queue import SqsQueue

        return SqsQueue(self.aws.client("sqs"), self.settings)

    @functools.cached_property
    def outbox(self) -> TransactionalOutbox:
        from gigcore.adapters.dynamo_outbox import DynamoOutbox

        return DynamoOutbox(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def processed_events(self) -> ProcessedEvents:
        from gigcore.adapters.dynamo_outbox import DynamoProcessedEvents

        return DynamoProcessedEvents(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def connections(self) -> ConnectionNotifier:
        from gigcore.adapters.websocket import ApiGatewayConnectionNotifier

        return ApiGatewayConnectionNotifier(self.aws.client("apigatewaymanagementapi"))

    @functools.cached_property
    def cursors(self) -> CursorCodec:
        return CursorCodec(self.settings.cursor_secret.get_secret_value().encode())

    @functools.cached_property
    def pynamodb(self) -> Any:
        from pynamodb.connection import Connection

        from gigcore.adapters.dynamo_models import bind

        s = self.settings
        bind(s.table_name, s.dynamodb_endpoint, s.region)
        return Connection(region=s.region, host=s.dynamodb_endpoint)

    @functools.cached_property
    def users(self) -> UserRepository:
        from gigcore.adapters.dynamo_users import DynamoUserRepository

        return DynamoUserRepository(self.dynamodb, self.settings.table_name, self.geo_layouts)

    @functools.cached_property
    def geo_layouts(self) -> DynamoGeoLayouts:
        from gigcore.adapters.dynamo_geo import DynamoGeoLayouts

        _ = self.pynamodb  # binds the models
        return DynamoGeoLayouts()

    @functools.cached_property
    def gigs(self) -> GigReader:
        from gigcore.adapters.dynamo_gigs import DynamoGigReader

        return DynamoGigReader(self.dynamodb, self.settings.table_name, self.geo_layouts)

    @functools.cached_property
    def applications(self) -> ApplicationReader:
        from gigcore.adapters.dynamo_contracts import DynamoApplicationReader

        return DynamoApplicationReader(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def contracts(self) -> ContractReader:
        from gigcore.adapters.dynamo_contracts import DynamoContractReader

        return DynamoContractReader(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def unit_of_work(self) -> UnitOfWorkFactory:
        """Makes the units of work of the main table (``gigcore.ports.unit_of_work``), reading through the
        readers above."""
        from gigcore.adapters.dynamo_unit_of_work import unit_of_work_factory

        return unit_of_work_factory(self.dynamodb, self.settings.table_name, self.gigs,  # type: ignore[arg-type]
                                    self.applications, self.contracts)  # type: ignore[arg-type]

    @functools.cached_property
    def payments(self) -> PaymentGateway:
        from gigcore.adapters.stripe_payments import StripePaymentGateway

        s = self.settings
        return StripePaymentGateway(s.stripe_secret_key.get_secret_value(), s.stripe_webhook_secret.get_secret_value(),
                                    api_base=s.stripe_api_base)

    @functools.cached_property
    def escrow(self) -> Any:
        from gigcore.adapters.dynamo_escrow import DynamoPayoutAccountStore
        from gigcore.services.escrow import Escrow, EscrowConfig, EscrowPorts

        s = self.settings
        ports = EscrowPorts(unit_of_work=self.unit_of_work,
                            payout_accounts=DynamoPayoutAccountStore(self.dynamodb, s.table_name),
                            payments=self.payments, users=self.users)
        return Escrow(ports, EscrowConfig(fee_bps=s.platform_fee_bps, auto_release_days=s.auto_release_days,
                                          onboarding_return_url=s.payout_return_url,
                                          onboarding_refresh_url=s.payout_refresh_url),
                      on_gig_settled=self.gig_cache.invalidate)

    @functools.cached_property
    def review_ports(self) -> Any:
        from gigcore.adapters.dynamo_reviews import DynamoReviewStore
        from gigcore.services.reviews import ReviewPorts

        return ReviewPorts(reviews=DynamoReviewStore(self.dynamodb, self.settings.table_name),
                           contracts=self.contracts, users=self.users)

    @functools.cached_property
    def application_ports(self) -> Any:
        from gigcore.services.applications import ApplicationPorts

        return ApplicationPorts(unit_of_work=self.unit_of_work, users=self.users)

    @functools.cached_property
    def gig_geo(self) -> GeoIndex:
        from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoIndex

        return DynamoGeoIndex(self.dynamodb, self.settings.table_name, GIG_INDEX, self.geo_layouts)

    @functools.cached_property
    def freelancer_geo(self) -> GeoIndex:
        from gigcore.adapters.dynamo_geo import FREELANCER_INDEX, DynamoGeoIndex

        return DynamoGeoIndex(self.dynamodb, self.settings.table_name, FREELANCER_INDEX, self.geo_layouts)

    @functools.cached_property
    def geo_layout_store(self) -> Any:
        from gigcore.adapters.dynamo_geo import DynamoGeoLayoutStore

        return DynamoGeoLayoutStore(self.dynamodb, self.settings.table_name, self.geo_layouts)

    @functools.cached_property
    def geo_layout_settings(self) -> Any:
        from gigcore.services.geo_layout import LayoutJobSettings

        s = self.settings
        return LayoutJobSettings(target=s.geo_layout_target, threshold=s.geo_layout_threshold,
                                 settle_seconds=s.geo_layout_settle_seconds, wcu_per_second=s.geo_layout_wcu_per_second,
                                 rcu_per_second=s.geo_layout_rcu_per_second, budget_seconds=s.geo_layout_budget_seconds,
                                 measure_every_seconds=s.geo_layout_measure_every_seconds)

    @functools.cached_property
    def gig_cache(self) -> TtlLruCache[str, Gig]:
        from gigcore.cache import TtlLruCache, register

        s = self.settings
        return register(TtlLruCache("gigs", max_entries=s.read_cache_max_entries, ttl_seconds=s.gig_cache_ttl_seconds))

    @functools.cached_property
    def profile_cache(self) -> TtlLruCache[str, User]:
        from gigcore.cache import TtlLruCache, register

        s = self.settings
        return register(TtlLruCache("profiles", max_entries=s.read_cache_max_entries,
                                    ttl_seconds=s.profile_cache_ttl_seconds))

    def forget_cached(self, kind: str, entity_id: str) -> None:
        """Drop this process's cached copy of a changed entity (``kind``: "gig" or "user")."""
        if kind == "gig":
            self.gig_cache.invalidate(entity_id)
        elif kind == "user":
            self.profile_cache.invalidate(entity_id)

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
    def refresh_tokens(self) -> RefreshTokenStore:
        from gigcore.adapters.dynamo_tokens import DynamoRefreshTokenStore

        return DynamoRefreshTokenStore(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def one_time_tokens(self) -> OneTimeTokenStore:
        from gigcore.adapters.dynamo_tokens import DynamoOneTimeTokenStore

        return DynamoOneTimeTokenStore(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def rate_limiter(self) -> RateLimiter:
        from gigcore.adapters.dynamo_rate_limit import DynamoRateLimiter

        return DynamoRateLimiter(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def idempotency(self) -> IdempotencyStore:
        from gigcore.adapters.dynamo_idempotency import DynamoIdempotencyStore

        return DynamoIdempotencyStore(self.dynamodb, self.settings.table_name,
                                      self.settings.idempotency_ttl_hours * 3600)

    @functools.cached_property
    def mailer(self) -> Mailer:
        from gigcore.adapters.ses_mailer import SesMailer

        return SesMailer(self.aws.client("ses"), self.settings.mail_from)

    @functools.cached_property
    def chat_ports(self) -> Any:
        from gigcore.adapters.dynamo_chat import DynamoChatRepository, DynamoConnectionRepository
        from gigcore.adapters.s3_store import S3ObjectStore
        from gigcore.services.chat import ChatPorts

        s = self.settings
        return ChatPorts(
            chats=DynamoChatRepository(self.dynamodb, s.table_name),
            connections=DynamoConnectionRepository(self.dynamodb, s.table_name),
            notifier=self.connections,
            objects=S3ObjectStore(self.aws.client("s3"), s.attachments_bucket),
            queue=self.queue,
            users=self.users,
            access=self.access_tokens,
            gigs=self.gigs,
            contracts=self.contracts,
            refresh=self.refresh_tokens,
            limiter=self.rate_limiter,
        )

    @functools.cached_property
    def notification_store(self) -> Any:
        from gigcore.adapters.dynamo_notifications import DynamoNotificationStore

        return DynamoNotificationStore(self.dynamodb, self.settings.table_name)

    @functools.cached_property
    def notification_ports(self) -> Any:
        from gigcore.adapters.sns import SnsPushSender, SnsSmsSender
        from gigcore.services.notifications import NotificationPorts

        s = self.settings
        applications = {k: v for k, v in (("ios", s.push_ios_application_arn),
                                           ("android", s.push_android_application_arn)) if v}
        sns = self.aws.client("sns")
        return NotificationPorts(store=self.notification_store, users=self.users, queue=self.queue,
                                 notifier=self.connections, connections=self.chat_ports.connections,
                                 mailer=self.mailer, push=SnsPushSender(sns, applications), sms=SnsSmsSender(sns))

    @functools.cached_property
    def matching_ports(self) -> Any:
        from gigcore.adapters.dynamo_notifications import DynamoMatchQuota
        from gigcore.services.matching import MatchingPorts

        return MatchingPorts(freelancers=self.freelancer_geo, queue=self.queue,
                             quota=DynamoMatchQuota(self.dynamodb, self.settings.table_name))

    @functools.cached_property
    def matching_policy(self) -> Any:
        from gigcore.domain.users import MAX_SERVICE_RADIUS_KM
        from gigcore.services.matching import MatchingPolicy

        return MatchingPolicy(per_day=self.settings.gig_matches_per_day, search_km=MAX_SERVICE_RADIUS_KM)

    @functools.cached_property
    def chat_policy(self) -> Any:
        from gigcore.services.chat import ChatPolicy

        s = self.settings
        return ChatPolicy(messages_per_window=s.chat_messages_per_10s, messages_window_seconds=10,
                          session_check_seconds=s.chat_session_check_seconds)

    @functools.cached_property
    def auth_ports(self) -> auth.AuthPorts:
        return auth.AuthPorts(
            users=self.users,
            hasher=self.password_hasher,
            access=self.access_tokens,
            refresh=self.refresh_tokens,
            one_time=self.one_time_tokens,
            limiter=self.rate_limiter,
            queue=self.queue,
        )

    @functools.cached_property
    def auth_policy(self) -> auth.AuthPolicy:
        s = self.settings
        return auth.AuthPolicy(
            refresh_ttl_seconds=s.refresh_token_ttl_days * 86400,
            verify_ttl_seconds=s.verify_token_ttl_hours * 3600,
            reset_ttl_seconds=s.reset_token_ttl_minutes * 60,
            signup_per_ip_per_hour=s.signup_per_ip_per_hour,
            login_per_email_per_15min=s.login_per_email_per_15min,
            login_per_ip_per_15min=s.login_per_ip_per_15min,
            reset_per_email_per_hour=s.reset_per_email_per_hour,
            verify_per_user_per_hour=s.verify_requests_per_user_per_hour,
        )

    @functools.cached_property
    def probes(self) -> list[DependencyProbe]:
        from gigcore.adapters.probes import DynamoProbe, EmbeddedSearchProbe, HttpProbe, QueueProbe

        s = self.settings
        search: DependencyProbe
        if s.search_backend == "opensearch":
            # Without an endpoint the search dependency is down, and /health must say so.
            search = HttpProbe("search", (s.opensearch_url or "http://opensearch-endpoint-not-set.invalid").rstrip("/")
                               + "/")
        else:
            search = EmbeddedSearchProbe(s.search_path)
        stripe_base = (s.stripe_api_base or "https://api.stripe.com").rstrip("/")
        payments = HttpProbe(
            "payments",
            stripe_base + "/v1/customers?limit=1",
            headers={"Authorization": f"Bearer {s.stripe_secret_key.get_secret_value()}"},
        )
        return [
            DynamoProbe(self.dynamodb, s.table_name),
            QueueProbe(self.aws.client("sqs"), s.queue_name("notifications")),
            search,
            payments,
        ]


@functools.cache
def container() -> Container:
    return Container(settings())


def reset() -> None:
    """Forget settings and adapters (tests that change the environment call this)."""
    settings.cache_clear()
    container.cache_clear()
