"""In-memory fakes of the ports, for unit tests of services (the adapters are tested for real)."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from gigcore.domain.errors import ConflictError, RateLimitedError
from gigcore.domain.users import User, normalise_email
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import IdempotencyState, OneTimeToken, RefreshRecord, StoredAnswer


class FakeUsers:
    """:class:`gigcore.ports.auth.UserRepository` in memory: one account per normalised email, optimistic writes
    on ``version`` (a stored user has version 1 and each save adds one), admins in id order. The events saved
    with a user are kept in :attr:`events` (the outbox)."""

    def __init__(self) -> None:
        self.by_id: dict[str, User] = {}
        self.events: list[OutboxEvent] = []

    def add(self, user: User) -> None:
        if user.id in self.by_id or any(normalise_email(u.email) == normalise_email(user.email)
                                        for u in self.by_id.values()):
            raise ConflictError("An account with this email already exists.")
        self.by_id[user.id] = replace(user, version=1)

    def get(self, user_id: str) -> User | None:
        return self.by_id.get(user_id)

    def get_many(self, user_ids: Sequence[str]) -> dict[str, User]:
        return {uid: self.by_id[uid] for uid in user_ids if uid in self.by_id}

    def admins(self, *, limit: int) -> list[User]:
        return sorted((u for u in self.by_id.values() if "admin" in u.roles), key=lambda u: u.id)[:limit]

    def by_email(self, email: str) -> User | None:
        return next((u for u in self.by_id.values() if normalise_email(u.email) == normalise_email(email)), None)

    def save(self, user: User, events: Sequence[OutboxEvent] = ()) -> User:
        current = self.by_id.get(user.id)
        if current is None or current.version != user.version:
            raise ConflictError("The account was changed by another request; try again.")
        if any(e.id == seen.id for e in events for seen in self.events):
            raise ConflictError("The change conflicts with the current state.")
        stored = replace(user, version=user.version + 1)
        self.by_id[user.id] = stored
        self.events += events
        return stored

    def count_rating(self, user_id: str, rating: int) -> bool:
        """What a revealed review does to its reviewee (``ReviewStore``): count it and move ``version`` on."""
        current = self.by_id.get(user_id)
        if current is None:
            return False
        self.by_id[user_id] = replace(current, rating_sum=current.rating_sum + rating,
                                      rating_count=current.rating_count + 1, version=current.version + 1)
        return True


class FakeHasher:
    def __init__(self) -> None:
        self.dummy_checks = 0

    def hash(self, password: str) -> str:
        return "fake$" + password[::-1]

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)

    def verify_dummy(self, password: str) -> None:
        self.dummy_checks += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("fake$")


class FakeRefreshTokens:
    """:class:`gigcore.ports.auth.RefreshTokenStore` in memory. ``session_open`` reads the user's
    ``session_generation`` from ``users`` as the DynamoDB store reads the user item (a session of a user that
    does not exist is closed); without ``users`` only the family is checked."""

    def __init__(self, users: FakeUsers | None = None) -> None:
        self.records: dict[str, RefreshRecord] = {}
        self.revoked: set[str] = set()
        self._users = users

    def put(self, record: RefreshRecord) -> None:
        self.records[record.token_hash] = record

    def get(self, token_hash: str) -> RefreshRecord | None:
        return self.records.get(token_hash)

    def rotate(self, spent_hash: str, new: RefreshRecord) -> bool:
        old = self.records.get(spent_hash)
        if old is None or old.spent or new.token_hash in self.records:
            return False
        self.records[spent_hash] = replace(old, spent=True)
        self.records[new.token_hash] = new
        return True

    def revoke_family(self, family_id: str) -> None:
        self.revoked.add(family_id)

    def family_revoked(self, family_id: str) -> bool:
        return family_id in self.revoked

    def session_open(self, user_id: str, family_id: str | None, generation: int) -> bool:
        if self._users is not None:
            user = self._users.get(user_id)
            if user is None or user.session_generation != generation:
                return False
        return family_id not in self.revoked


class FakeOneTimeTokens:
    """Single use: a live token is deleted by the use that gets it; an expired one is refused and left alone."""

    def __init__(self) -> None:
        self.tokens: dict[tuple[str, str], tuple[str, int]] = {}

    def put(self, purpose: str, token_hash: str, user_id: str, expires_at: int) -> None:
        self.tokens[(purpose, token_hash)] = (user_id, expires_at)

    def consume(self, purpose: str, token_hash: str, now: int) -> OneTimeToken | None:
        found = self.tokens.get((purpose, token_hash))
        if found is None or found[1] <= now:
            return None
        del self.tokens[(purpose, token_hash)]
        return OneTimeToken(found[0], found[1])


class FakeLimiter:
    """A token bucket per (bucket, key): ``capacity`` at once, refilled evenly over ``per_seconds``."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def take(self, bucket: str, key: str, *, capacity: int, per_seconds: int, now: float) -> None:
        tokens, at = self.buckets.get((bucket, key), (float(capacity), now))
        tokens = min(float(capacity), tokens + (now - at) * capacity / per_seconds)
        if tokens < 1:
            raise RateLimitedError("Too many requests.", retry_after_seconds=max(1, math.ceil(
                (1 - tokens) * per_seconds / capacity)))
        self.buckets[(bucket, key)] = (tokens - 1, now)


class FakeQueue:
    """:class:`gigcore.ports.Queue` in memory: what was sent, in order, as ``(queue_key, body)``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, queue_key: str, body: Mapping[str, Any], *, delay_seconds: int = 0) -> str:
        self.sent.append((queue_key, json.loads(json.dumps(dict(body), default=str))))
        return f"m{len(self.sent)}"

    def send_many(self, queue_key: str, bodies: Sequence[Mapping[str, Any]]) -> None:
        for body in bodies:
            self.send(queue_key, body)

    def bodies(self, queue_key: str) -> list[dict[str, Any]]:
        return [body for key, body in self.sent if key == queue_key]


class FakeProcessedEvents:
    """:class:`gigcore.ports.ProcessedEvents` in memory."""

    def __init__(self) -> None:
        self.marked: set[tuple[str, str]] = set()

    def seen(self, consumer: str, event_id: str) -> bool:
        return (consumer, event_id) in self.marked

    def mark(self, consumer: str, event_id: str) -> None:
        self.marked.add((consumer, event_id))


class FakeNotifier:
    """:class:`gigcore.ports.ConnectionNotifier` in memory: frames posted per connection. Only sockets a client
    opened (:meth:`open`) take frames; any other connection, or one in :attr:`gone`, answers as stale (False), as API
    Gateway's ``GoneException`` does."""

    def __init__(self, gone: set[str] | None = None) -> None:
        self.posted: list[tuple[str, dict[str, Any]]] = []
        self.closed: list[str] = []
        self.opened: set[str] = set()
        self.gone: set[str] = set(gone or ())
        self._lock = threading.Lock()

    def open(self, connection_id: str) -> None:
        """A client opened this socket (what ``$connect`` answers)."""
        self.opened.add(connection_id)

    def post(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        if connection_id in self.gone or connection_id not in self.opened:
            return False
        with self._lock:
            self.posted.append((connection_id, json.loads(json.dumps(dict(frame)))))
        return True

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)
        self.gone.add(connection_id)

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        return [frame for cid, frame in self.posted if cid == connection_id]


class FakeMailer:
    """:class:`gigcore.ports.auth.Mailer` in memory."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        self.sent.append((to, subject, text, html))
        return f"mail-{len(self.sent)}"


class FakeMatchQuota:
    """:class:`gigcore.ports.notifications.MatchQuota` in memory (the TTL only tidies the table up)."""

    def __init__(self) -> None:
        self.days: dict[tuple[str, str], set[str]] = {}

    def claim(self, user_ids: Sequence[str], *, day: str, gig_id: str, limit: int, ttl_epoch: int) -> set[str]:
        granted: set[str] = set()
        if limit <= 0:
            return granted
        for user_id in user_ids:
            gigs = self.days.setdefault((user_id, day), set())
            if gig_id in gigs or len(gigs) < limit:
                gigs.add(gig_id)
                granted.add(user_id)
        return granted


class FakeIdempotency:
    """:class:`gigcore.ports.auth.IdempotencyStore` in memory: a record lives ``ttl_seconds`` after its last
    write, and a claim still running ``stale_after`` seconds after it began may be taken over (a Lambda that
    died), as on DynamoDB. Answers are kept as JSON, so they come back as a replay would see them."""

    def __init__(self, ttl_seconds: int = 24 * 3600, stale_after: int = 90) -> None:
        self.records: dict[tuple[str, str], IdempotencyState] = {}
        #: When each record's request began and when the record expires.
        self.times: dict[tuple[str, str], tuple[int, int]] = {}
        self._ttl = ttl_seconds
        self._stale_after = stale_after

    def begin(self, scope: str, key: str, request_hash: str, now: int) -> IdempotencyState | None:
        found = self.records.get((scope, key))
        if found is not None:
            started_at, expires_at = self.times[(scope, key)]
            stale = not found.done and started_at <= now - self._stale_after
            if expires_at > now and not stale:
                return found
        self.records[(scope, key)] = IdempotencyState(request_hash=request_hash, done=False, answer=None)
        self.times[(scope, key)] = (now, now + self._ttl)
        return None

    def finish(self, scope: str, key: str, answer: StoredAnswer, now: int) -> None:
        if (scope, key) not in self.records:  # given back or gone meanwhile: it stays gone
            return
        kept = json.loads(json.dumps({"body": answer.body, "headers": answer.headers}, default=str))
        stored = StoredAnswer(status=answer.status, body=kept["body"], headers=dict(kept["headers"]),
                              replayable=answer.replayable)
        self.records[(scope, key)] = replace(self.records[(scope, key)], done=True, answer=stored)
        self.times[(scope, key)] = (self.times[(scope, key)][0], now + self._ttl)

    def abandon(self, scope: str, key: str) -> None:
        self.records.pop((scope, key), None)
        self.times.pop((scope, key), None)


class FakeGeoIndex:
    """An in-memory geo index with the same partition layout and key order as the DynamoDB one."""

    def __init__(self, layout: Any = None) -> None:
        from gigcore.domain.geo import PartitionLayout

        self._layout = layout or PartitionLayout()
        self.keys: dict[str, list[str]] = {}
        self.entries: dict[str, Any] = {}
        self.reads: list[Any] = []

    def layout(self) -> Any:
        return self._layout

    def _key(self, entry: Any) -> str:
        from gigcore.domain import geo

        return geo.encode(entry.lat, entry.lng) + "#" + entry.id

    def put(self, entry: Any) -> None:
        import bisect

        self.remove(entry.id)
        key = self._key(entry)
        bisect.insort(self.keys.setdefault(self._layout.partition_of(key).name, []), key)
        self.entries[entry.id] = entry

    def remove(self, entry_id: str) -> None:
        entry = self.entries.pop(entry_id, None)
        if entry is not None:
            key = self._key(entry)
            self.keys[self._layout.partition_of(key).name].remove(key)

    def read(self, queries: Any) -> list[Any]:
        import bisect

        from gigcore.ports.gigs import RangeAnswer

        answers = []
        for query in queries:
            self.reads.append(query)
            keys = self.keys.get(query.partition, [])
            lo = bisect.bisect_left(keys, query.lo)
            hi = len(keys) if query.hi is None else bisect.bisect_left(keys, query.hi)
            chosen = keys[lo:hi]
            stopped = None
            if query.limit is not None and len(chosen) > query.limit:
                chosen = chosen[: query.limit]
                stopped = chosen[-1].split("#")[0]
            entries = tuple(self.entries[key.split("#", 1)[1]] for key in chosen)
            answers.append(RangeAnswer(entries=entries, stopped_at=stopped, scanned=len(chosen), calls=1,
                                       capacity=max(0.5, len(chosen) * 0.02)))
        return answers


class FakeGeoLayoutStore:
    """:class:`gigcore.ports.gigs.GeoLayoutStore` in memory: entries by partition key, owners' pointers, the
    layout state and a move's checkpoint, with the same conditional writes as the DynamoDB one."""

    def __init__(self) -> None:
        self.states: dict[str, Any] = {}
        self.progresses: dict[str, Any] = {}
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        self.owners: dict[str, str] = {}

    def put(self, index: str, entry_id: str, geohash: str) -> None:
        """A writer's put (under the layout writers use), replacing the owner's previous entry."""
        state = self.state(index)
        sk = f"{geohash}#{entry_id}"
        old = self.owners.pop(entry_id, None)
        if old is not None:
            for key in [k for k in self.items[old] if k.endswith("#" + entry_id)]:
                del self.items[old][key]
        pk = f"GEO#{index}#{state.for_writes().partition_of(sk).name}"
        self.items.setdefault(pk, {})[sk] = {"pk": {"S": pk}, "sk": {"S": sk}}
        self.owners[entry_id] = pk

    def state(self, index: str) -> Any:
        from gigcore.domain.geo_layout import LayoutState

        return self.states.get(index, LayoutState())

    def store(self, index: str, state: Any, *, expected_revision: int) -> None:
        from gigcore.domain.errors import ConflictError

        stored = self.states.get(index)
        if (0 if stored is None else stored.revision) != expected_revision:
            raise ConflictError("changed")
        self.states[index] = state

    def scan_keys(self, index: str, spend: Any) -> list[str]:
        spend(1.0)
        return [sk for pk, items in self.items.items() if pk.startswith(f"GEO#{index}#") for sk in items]

    def progress(self, index: str) -> Any:
        return self.progresses.get(index)

    def save_progress(self, index: str, progress: Any, *, expected_revision: int | None) -> None:
        from gigcore.domain.errors import ConflictError

        current = self.progresses.get(index)
        if (None if current is None else current.revision) != expected_revision:
            raise ConflictError("changed")
        if progress is None:
            self.progresses.pop(index, None)
        else:
            self.progresses[index] = progress

    def page(self, index: str, partition: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        items = self.items.get(f"GEO#{index}#{partition}", {})
        return [items[k] for k in sorted(k for k in items if after is None or k > after)[:limit]]

    def move(self, index: str, item: dict[str, Any], partition: str) -> float | None:
        old, sk = item["pk"]["S"], item["sk"]["S"]
        new = f"GEO#{index}#{partition}"
        entry_id = sk.split("#", 1)[1]
        if sk not in self.items.get(old, {}) or sk in self.items.get(new, {}) or self.owners.get(entry_id) != old:
            return None
        del self.items[old][sk]
        self.items.setdefault(new, {})[sk] = {"pk": {"S": new}, "sk": {"S": sk}}
        self.owners[entry_id] = new
        return 6.0
