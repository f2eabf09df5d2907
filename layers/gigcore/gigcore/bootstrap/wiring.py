"""The services put together: each use case's ports and policy, the queue consumers' subscriptions, the read
caches and the one way a cached copy is forgotten.

Invalidation has one path: an :class:`~gigcore.ports.changes.EntityChanged` reaches :meth:`Container.changed`,
whoever saw the change. A service that wrote a gig or a user tells it to the listener it was wired with (this
process reads its own writes at once); the stream router tells it of every write made elsewhere; the search
queue's gig events tell it too. What hears it is listed in ``Container.__init__`` (the read caches).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from gigcore.bootstrap.adapters import Adapters
from gigcore.ports import OutboxEvent
from gigcore.ports.changes import EntityChanged

if TYPE_CHECKING:
    from gigcore.cache import TtlLruCache
    from gigcore.domain.gigs import Gig
    from gigcore.domain.users import User
    from gigcore.ports import DependencyProbe
    from gigcore.ports.reads import Reads
    from gigcore.services.applications import ApplicationPorts, OpenApplicationsRejector
    from gigcore.services.auth import AuthPolicy, AuthPorts
    from gigcore.services.chat import ChatPolicy, ChatPorts
    from gigcore.services.escrow import Escrow
    from gigcore.services.events import EventBus
    from gigcore.services.geo_layout import LayoutJobSettings
    from gigcore.services.matching import MatchingPolicy, MatchingPorts
    from gigcore.services.notifications import NotificationPorts
    from gigcore.services.reviews import ReviewPorts
    from gigcore.settings import Settings


class Container(Adapters):
    """The composition root's one object per process (per Lambda cold start): adapters (:class:`Adapters`) and
    the services' wiring, each built on first use."""

    def __init__(self, config: Settings) -> None:
        super().__init__(config)
        self._change_listeners: list[Callable[[EntityChanged], None]] = [self._forget_cached]
        if config.tracing:
            from gigcore.observability import tracer

            tracer()

    @functools.cached_property
    def bus(self) -> EventBus:
        """Which use case each queue's events run. Built when a consumer first asks: a request never needs it,
        so an API function never imports the use cases it does not run."""
        from gigcore.services.events import EventBus

        bus = EventBus()
        self._subscribe_consumers(bus)
        self._subscribe_changes(bus)
        return bus

    # ---- read caches and the one way to forget a copy ---------------------------------------------

    def changed(self, change: EntityChanged, /) -> None:
        """A stored gig or user changed: everything subscribed to changes hears it (the services' listener).
        What hears it is this process's read caches (:meth:`_forget_cached`); other processes hear it from the
        stream or wait for the TTL."""
        for listener in self._change_listeners:
            listener(change)

    def _forget_cached(self, change: EntityChanged) -> None:
        cache = self.gig_cache if change.kind == "gig" else self.profile_cache
        cache.invalidate(change.entity_id)

    def _subscribe_changes(self, bus: EventBus) -> None:
        """The search queue's gig events are changes too (a consumer's process may cache the gig)."""
        from gigcore.services.gigs import GIG_CLOSED, GIG_UPDATED, SEARCH_QUEUE

        def gig_event(event: OutboxEvent) -> None:
            self.changed(EntityChanged("gig", str(event.payload["gig_id"])))

        for kind in (GIG_UPDATED, GIG_CLOSED):
            bus.subscribe(SEARCH_QUEUE, kind, gig_event)

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

    @property
    def gig_reads(self) -> Reads[str, Gig]:
        """Gigs through this instance's gig cache (``GET /gigs/{id}``, the nearby pages)."""
        from gigcore.cache import CachedReads

        return CachedReads(lambda: self.gig_cache, self.gigs.get, self.gigs.get_many)

    @property
    def profile_reads(self) -> Reads[str, User]:
        """Users through this instance's profile cache (``GET /users/{id}``)."""
        from gigcore.cache import CachedReads

        return CachedReads(lambda: self.profile_cache, self.users.get, self.users.get_many)

    # ---- the queues' consumers --------------------------------------------------------------------

    def _subscribe_consumers(self, bus: EventBus) -> None:
        """Which use case each queue's events run (the consumers' handlers live in functions/app.py)."""
        from gigcore.domain.notifications import TEMPLATES
        from gigcore.services import auth, matching, notifications, search
        from gigcore.services.applications import GIG_LIFECYCLE_QUEUE
        from gigcore.services.escrow import PAYMENTS_QUEUE, STRIPE_EVENT
        from gigcore.services.gigs import GIG_CLOSED, GIG_CREATED, GIG_UPDATED, MATCHING_QUEUE, SEARCH_QUEUE
        from gigcore.services.users import FREELANCER_CHANGED

        subscribe = bus.subscribe
        link_base = self.settings.app_link_base
        subscribe("notifications", auth.EMAIL_VERIFICATION_REQUESTED, lambda e: auth.send_verification_email(
            e, ports=self.auth_ports, policy=self.auth_policy, mailer=self.mailer, link_base=link_base,
            now=self.clock.now()))
        subscribe("notifications", auth.PASSWORD_RESET_REQUESTED, lambda e: auth.send_reset_email(
            e, ports=self.auth_ports, policy=self.auth_policy, mailer=self.mailer, link_base=link_base,
            now=self.clock.now()))

        def fan_out(event: OutboxEvent) -> None:
            notifications.fan_out(event, ports=self.notification_ports, now=self.clock.now())

        def send_sms(event: OutboxEvent) -> None:
            notifications.send_sms(event, ports=self.notification_ports)

        def push(event: OutboxEvent) -> None:
            notifications.send_push(event, ports=self.notification_ports)

        def match(event: OutboxEvent) -> None:
            matching.match_gig(event, ports=self.matching_ports, policy=self.matching_policy, now=self.clock.now())

        def reject_open_applications(event: OutboxEvent) -> None:
            self.applications_rejector.on_gig_closed(str(event.payload["gig_id"]), self.clock.now())

        for kind in TEMPLATES:
            subscribe("notifications", kind, fan_out)
        subscribe("email", "channel.email", lambda e: notifications.send_email(e, ports=self.notification_ports))
        subscribe("sms", "channel.sms", send_sms)
        subscribe("push", "channel.push", push)
        subscribe(MATCHING_QUEUE, GIG_CREATED, match)
        subscribe(GIG_LIFECYCLE_QUEUE, GIG_CLOSED, reject_open_applications)
        for kind in (GIG_CREATED, GIG_UPDATED, GIG_CLOSED):
            subscribe(SEARCH_QUEUE, kind, lambda e: search.index_gig_event(e, index=self.search_index))
        subscribe(SEARCH_QUEUE, FREELANCER_CHANGED, lambda e: search.index_freelancer_event(e, index=self.search_index))
        subscribe(PAYMENTS_QUEUE, STRIPE_EVENT, lambda e: self.escrow.on_stripe_event(
            str(e.payload["type"]), str(e.payload["object_id"]), self.clock.now()))

    # ---- each use case's ports and policy ---------------------------------------------------------

    @functools.cached_property
    def escrow(self) -> Escrow:
        from gigcore.services.escrow import Escrow, EscrowConfig, EscrowPorts

        s = self.settings
        ports = EscrowPorts(unit_of_work=self.unit_of_work, payout_accounts=self.payout_accounts,
                            payments=self.payments, users=self.users)
        return Escrow(ports, EscrowConfig(fee_bps=s.platform_fee_bps, auto_release_days=s.auto_release_days,
                                          onboarding_return_url=s.payout_return_url,
                                          onboarding_refresh_url=s.payout_refresh_url),
                      changed=self.changed)

    @functools.cached_property
    def review_ports(self) -> ReviewPorts:
        from gigcore.services.reviews import ReviewPorts

        return ReviewPorts(reviews=self.review_store, contracts=self.contracts, users=self.users, changed=self.changed)

    @functools.cached_property
    def application_ports(self) -> ApplicationPorts:
        from gigcore.services.applications import ApplicationPorts

        return ApplicationPorts(unit_of_work=self.unit_of_work, users=self.users, changed=self.changed)

    @functools.cached_property
    def applications_rejector(self) -> OpenApplicationsRejector:
        """Rejects the open applications of a gig that closed (a cancelled gig, ``gig.closed``)."""
        from gigcore.services.applications import OpenApplicationsRejector

        return OpenApplicationsRejector(self.application_ports)

    @functools.cached_property
    def geo_layout_settings(self) -> LayoutJobSettings:
        from gigcore.services.geo_layout import LayoutJobSettings

        s = self.settings
        return LayoutJobSettings(target=s.geo_layout_target, threshold=s.geo_layout_threshold,
                                 settle_seconds=s.geo_layout_settle_seconds, wcu_per_second=s.geo_layout_wcu_per_second,
                                 rcu_per_second=s.geo_layout_rcu_per_second, budget_seconds=s.geo_layout_budget_seconds,
                                 measure_every_seconds=s.geo_layout_measure_every_seconds)

    @functools.cached_property
    def chat_ports(self) -> ChatPorts:
        from gigcore.services.chat import ChatPorts

        return ChatPorts(chats=self.chats, connections=self.chat_connections, notifier=self.connections,
                         objects=self.attachments, queue=self.queue, users=self.users, access=self.access_tokens,
                         gigs=self.gigs, contracts=self.contracts, refresh=self.refresh_tokens,
                         limiter=self.rate_limiter)

    @functools.cached_property
    def chat_policy(self) -> ChatPolicy:
        from gigcore.services.chat import ChatPolicy

        s = self.settings
        return ChatPolicy(messages_per_window=s.chat_messages_per_10s, messages_window_seconds=10,
                          session_check_seconds=s.chat_session_check_seconds)

    @functools.cached_property
    def notification_ports(self) -> NotificationPorts:
        from gigcore.services.notifications import NotificationPorts

        return NotificationPorts(store=self.notification_store, users=self.users, queue=self.queue,
                                 notifier=self.connections, connections=self.chat_ports.connections,
                                 mailer=self.mailer, push=self.push, sms=self.sms)

    @functools.cached_property
    def matching_ports(self) -> MatchingPorts:
        from gigcore.services.matching import MatchingPorts

        return MatchingPorts(freelancers=self.freelancer_geo, queue=self.queue, quota=self.match_quota)

    @functools.cached_property
    def matching_policy(self) -> MatchingPolicy:
        from gigcore.domain.users import MAX_SERVICE_RADIUS_KM
        from gigcore.services.matching import MatchingPolicy

        return MatchingPolicy(per_day=self.settings.gig_matches_per_day, search_km=MAX_SERVICE_RADIUS_KM)

    @functools.cached_property
    def auth_ports(self) -> AuthPorts:
        from gigcore.services.auth import AuthPorts

        return AuthPorts(users=self.users, hasher=self.password_hasher, access=self.access_tokens,
                         refresh=self.refresh_tokens, one_time=self.one_time_tokens, limiter=self.rate_limiter,
                         queue=self.queue)

    @functools.cached_property
    def auth_policy(self) -> AuthPolicy:
        from gigcore.services.auth import AuthPolicy

        s = self.settings
        return AuthPolicy(
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
        from gigcore.bootstrap.probes import dependency_probes

        return dependency_probes(self)
