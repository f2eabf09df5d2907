"""Reviews over the local stack, through the Chalice app in process: only the parties of a
completed contract, once each, within 14 days; hidden until both have reviewed or the window closes; counted in
the public profile's rating when they show."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.services.reviews import reveal_due
from tests.conftest import Api
from tests.fake_clock import FakeClock
from tests.integration.test_escrow_api import _signup, contract, funded, key, path

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app_client(stack_env: dict[str, str]) -> Iterator[Api]:
    from app import app
    from chalice.test import Client

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def people(app_client: Api) -> dict[str, dict[str, str]]:
    team = {"client": _signup(app_client, ["client"]), "freelancer": _signup(app_client, ["freelancer"]),
            "stranger": _signup(app_client, ["client"])}
    assert app_client.post("/me/payout-account", token=team["freelancer"]["token"]).status_code == 200
    return team


def completed(api: Api, people: dict) -> dict:
    c = contract(api, people, amounts=(400_000,))
    funded(api, people, c, 0)
    released = api.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert released.status_code == 200, released.json_body
    assert api.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "completed"
    return c


def review(api: Api, people: dict, c: dict, who: str, rating: int = 5, comment: str = "Great work.") -> Any:
    return api.post(f"/contracts/{c['id']}/reviews", {"rating": rating, "comment": comment},
                    token=people[who]["token"])


def shown(api: Api, people: dict, user: str) -> list[dict]:
    answer = api.get(f"/users/{people[user]['id']}/reviews", token=people["stranger"]["token"])
    assert answer.status_code == 200, answer.json_body
    return list(answer.json_body["items"])


def rating(api: Api, people: dict, user: str) -> dict:
    return dict(api.get(f"/users/{people[user]['id']}", token=people["stranger"]["token"]).json_body["rating"])


def test_a_review_is_hidden_until_both_parties_have_reviewed(app_client: Api, people: dict) -> None:
    c = completed(app_client, people)
    first = review(app_client, people, c, "client", 4, "On time, tidy work.")
    assert first.status_code == 201, first.json_body
    assert first.json_body["visible"] is False and first.json_body["reviewee_id"] == people["freelancer"]["id"]
    assert shown(app_client, people, "freelancer") == []
    assert rating(app_client, people, "freelancer") == {"average": 0.0, "count": 0}
    second = review(app_client, people, c, "freelancer", 5, "Clear brief, paid at once.")
    assert second.status_code == 201 and second.json_body["visible"] is True
    assert [r["comment"] for r in shown(app_client, people, "freelancer")] == ["On time, tidy work."]
    assert [r["rating"] for r in shown(app_client, people, "client")] == [5]
    assert rating(app_client, people, "freelancer") == {"average": 4.0, "count": 1}
    assert rating(app_client, people, "client") == {"average": 5.0, "count": 1}
    again = review(app_client, people, c, "client", 1, "Changed my mind.")
    assert again.status_code == 409 and again.json_body["error"]["code"] == "conflict"
    assert rating(app_client, people, "freelancer") == {"average": 4.0, "count": 1}


def test_only_the_parties_of_a_completed_contract_review_it(app_client: Api, people: dict) -> None:
    open_contract = contract(app_client, people, amounts=(100_000,))
    early = review(app_client, people, open_contract, "client")
    assert early.status_code == 409 and early.json_body["error"]["code"] == "invalid_state"
    c = completed(app_client, people)
    stranger = review(app_client, people, c, "stranger")
    assert stranger.status_code == 403
    for body, field in (({"rating": 6, "comment": "x"}, "rating"), ({"rating": 0, "comment": "x"}, "rating"),
                        ({"rating": "5", "comment": "x"}, "rating"), ({"rating": 3, "comment": ""}, "comment"),
                        ({"rating": 3, "comment": "x", "stars": 3}, "stars")):
        bad = app_client.post(f"/contracts/{c['id']}/reviews", body, token=people["client"]["token"])
        assert bad.status_code == 422, (body, bad.json_body)
        assert field in [d["field"] for d in bad.json_body["error"]["details"]], bad.json_body
    missing = app_client.post("/contracts/01JZZZZZZZZZZZZZZZZZZZZZZZ/reviews", {"rating": 5, "comment": "x"},
                              token=people["client"]["token"])
    assert missing.status_code == 404
    assert shown(app_client, people, "freelancer") == []


def test_a_lone_review_shows_when_the_window_closes_and_then_counts(app_client: Api, people: dict,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    c = completed(app_client, people)
    assert review(app_client, people, c, "freelancer", 3, "Slow to answer.").status_code == 201
    later = utc_now() + timedelta(days=14, minutes=1)
    monkeypatch.setitem(bootstrap.container().__dict__, "clock", FakeClock(later))
    container = bootstrap.container()
    for who in ("client", "stranger"):  # two weeks on, the apps hold access tokens refreshed since
        user = container.users.get(people[who]["id"])
        assert user is not None
        people[who] = people[who] | {"token": container.access_tokens.issue(user, later)[0]}
    late = review(app_client, people, c, "client")
    assert late.status_code == 409 and late.json_body["error"]["details"] == [
        {"field": "contract", "issue": "review window closed"}]
    assert [r["comment"] for r in shown(app_client, people, "client")] == ["Slow to answer."]
    assert rating(app_client, people, "client")["count"] == 0  # shown, not yet counted
    ports = bootstrap.container().review_ports
    assert reveal_due(ports=ports, now=later) >= 1
    bootstrap.container().profile_cache.invalidate(people["client"]["id"])
    assert rating(app_client, people, "client") == {"average": 3.0, "count": 1}
    reveal_due(ports=ports, now=later)  # again: counted once
    bootstrap.container().profile_cache.invalidate(people["client"]["id"])
    assert rating(app_client, people, "client") == {"average": 3.0, "count": 1}


def test_two_parties_reviewing_at_the_same_moment_both_show(app_client: Api, people: dict) -> None:
    c = completed(app_client, people)
    answers: list[Any] = []
    threads = [threading.Thread(target=lambda who=who: answers.append(review(app_client, people, c, who)))
               for who in ("client", "freelancer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert len(shown(app_client, people, "client")) == 1 and len(shown(app_client, people, "freelancer")) == 1
    assert rating(app_client, people, "freelancer")["count"] == 1 and rating(app_client, people, "client")["count"] == 1
