"""The read caches seen through the API: updates are visible, caching headers, and the stream's invalidation.

The app runs in process (one "instance"); another instance's stale copy is simulated by putting an old copy
back into this instance's cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.cache import TtlLruCache
from infra.local.runtime.loader import AppIndex, LambdaContext, import_app
from infra.local.runtime.pollers import StreamPoller
from tests.integration.test_gigs_api import gig_body, session

pytestmark = pytest.mark.integration


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_a_gig_changed_by_its_owner_is_seen_changed_at_once(api):
    owner, _ = session(api, ("client",))
    reader, _ = session(api, ("freelancer",))
    gig = api.post("/gigs", gig_body(), token=owner).json_body
    first = api.get(f"/gigs/{gig['id']}", token=reader)
    again = api.get(f"/gigs/{gig['id']}", token=reader)
    assert first.json_body["title"] == again.json_body["title"] == gig_body()["title"]
    assert bootstrap.container().gig_cache.get(gig["id"]) is not None  # the second read was served from it

    patched = api.patch(f"/gigs/{gig['id']}", {"title": "Fix two leaking taps"}, token=owner)
    assert patched.status_code == 200
    read = api.get(f"/gigs/{gig['id']}", token=reader)
    assert read.status_code == 200 and read.json_body["title"] == "Fix two leaking taps"
    assert read.json_body["updated_at"] == patched.json_body["updated_at"]


def test_a_cancelled_gig_is_seen_cancelled_at_once(api):
    owner, _ = session(api, ("client",))
    gig = api.post("/gigs", gig_body(), token=owner).json_body
    assert api.get(f"/gigs/{gig['id']}", token=owner).json_body["status"] == "open"
    assert api.post(f"/gigs/{gig['id']}/cancel", token=owner).status_code == 200
    assert api.get(f"/gigs/{gig['id']}", token=owner).json_body["status"] == "cancelled"


def test_a_renamed_user_is_seen_renamed_on_their_public_profile(api):
    token, user_id = session(api, ("freelancer",))
    viewer, _ = session(api, ("client",))
    assert api.get(f"/users/{user_id}", token=viewer).json_body["name"] == "Gig User"
    assert api.get(f"/users/{user_id}", token=viewer).json_body["name"] == "Gig User"
    assert api.patch("/me", {"name": "Ada Plumber"}, token=token).status_code == 200
    assert api.get(f"/users/{user_id}", token=viewer).json_body["name"] == "Ada Plumber"


def test_a_public_get_may_be_kept_privately_for_the_cache_ttl_and_an_error_never(api, stack_settings):
    owner, user_id = session(api, ("client",))
    gig = api.post("/gigs", gig_body(), token=owner).json_body
    read = api.get(f"/gigs/{gig['id']}", token=owner)
    assert read.headers["Cache-Control"] == f"private, max-age={int(stack_settings.gig_cache_ttl_seconds)}"
    profile = api.get(f"/users/{user_id}", token=owner)
    assert profile.headers["Cache-Control"] == f"private, max-age={int(stack_settings.profile_cache_ttl_seconds)}"
    assert api.get("/me", token=owner).headers["Cache-Control"] == "private, no-cache"
    revalidated = api.get(f"/gigs/{gig['id']}", token=owner, headers={"If-None-Match": read.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["Cache-Control"] == read.headers["Cache-Control"]
    missing = api.get("/gigs/01HZZZZZZZZZZZZZZZZZZZZZZZ", token=owner)
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    unsigned = api.get(f"/gigs/{gig['id']}")
    assert unsigned.status_code == 401 and unsigned.headers["Cache-Control"] == "no-store"


@pytest.fixture
def stream(stack_env: dict[str, str]) -> Iterator[Callable[[], None]]:
    """The table's stream fed to the real outbox router in this process, as Lambda's event source would.

    Inserts are left out: the stream is read from its start, and re-routing every event of the session to
    the queues would disturb other tests (consumers would skip them, but counts would change).
    """
    app = import_app()
    index = AppIndex.of(app, stack_env["GIGCONNECT_STACK_NAME"])

    def invoke(handler: str, event: dict[str, Any]) -> Any:
        changes = [r for r in event.get("Records", []) if r.get("eventName") != "INSERT"]
        return app.handler_map[handler]({"Records": changes}, LambdaContext(handler))

    poller = StreamPoller(stack_env["GIGCONNECT_DYNAMODB_ENDPOINT"], f"{stack_env['GIGCONNECT_STACK_NAME']}-main",
                          index.stream_handlers, invoke)
    yield poller.start
    if poller.is_alive():
        poller.stop()
        poller.join(timeout=5)


@pytest.fixture
def long_lived_gig_cache(stack_env: dict[str, str]) -> Iterator[TtlLruCache[str, Any]]:
    """This instance's gig cache with an hour's TTL, so only an invalidation can make a copy go."""
    container = bootstrap.container()
    container.__dict__["gig_cache"] = TtlLruCache("gigs-test", max_entries=100, ttl_seconds=3600)
    yield container.gig_cache
    container.__dict__.pop("gig_cache", None)


def test_a_change_made_elsewhere_is_seen_once_the_stream_reaches_this_instance(api, stream, long_lived_gig_cache):
    owner, _ = session(api, ("client",))
    gig = api.post("/gigs", gig_body(), token=owner).json_body
    cache = long_lived_gig_cache
    api.get(f"/gigs/{gig['id']}", token=owner)
    stale = cache.get(gig["id"])
    assert stale is not None
    assert api.patch(f"/gigs/{gig['id']}", {"title": "Retile the bathroom floor"}, token=owner).status_code == 200
    cache.put(gig["id"], stale)  # as another instance's copy would still be

    # The stream carries the gig's change to the router, which forgets the copy: the next read is fresh.
    assert api.get(f"/gigs/{gig['id']}", token=owner).json_body["title"] == gig_body()["title"]
    stream()
    wait_for(lambda: api.get(f"/gigs/{gig['id']}", token=owner).json_body["title"] == "Retile the bathroom floor",
             timeout=60)


def test_an_application_and_its_acceptance_are_seen_on_a_cached_gig_at_once(api):
    from tests.integration.test_applications_api import apply, post_gig
    from tests.integration.test_applications_api import session as app_session

    owner, _ = app_session(api, ("client",))
    freelancer, _ = app_session(api, ("freelancer",), name="Bola Ade")
    gig = post_gig(api, owner)
    for _ in range(2):  # the second read is a cache hit
        assert api.get(f"/gigs/{gig['id']}", token=freelancer).json_body["application_count"] == 0
    application = apply(api, freelancer, gig["id"]).json_body
    assert api.get(f"/gigs/{gig['id']}", token=freelancer).json_body["application_count"] == 1
    assert api.post(f"/applications/{application['id']}/accept", {}, token=owner).status_code == 201
    assert api.get(f"/gigs/{gig['id']}", token=freelancer).json_body["status"] == "in_progress"
