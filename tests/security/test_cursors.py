"""List cursors as an attacker holds them: someone else's, altered, or from another list.

A cursor is opaque, tamper-evident and bound to its query and caller (docs/api.md "Lists and cursors"): a foreign or
altered one is ``400 validation_error`` and shows nothing of another's list.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.security.world import World

pytestmark = pytest.mark.integration

#: Lists in which the world's owner has more than one item, and that owner.
LISTS = [("/me/gigs", "client"), ("/me/contracts", "client"), ("/me/applications", "freelancer"),
         ("/conversations", "client")]


def first_page(world: World, path: str, who: str) -> dict[str, Any]:
    answer = world.api.get(f"{path}?limit=1", token=world.token(who))
    assert answer.status_code == 200 and answer.json_body["next_cursor"], answer.json_body
    return dict(answer.json_body)


def assert_refused(answer: Any) -> None:
    assert answer.status_code == 400, (answer.status_code, answer.json_body)
    assert answer.json_body["error"]["code"] == "validation_error"


@pytest.mark.parametrize(("path", "owner"), LISTS)
def test_someone_elses_cursor_is_refused(sec_world: World, path: str, owner: str) -> None:
    # Given the owner's second page
    cursor = first_page(sec_world, path, owner)["next_cursor"]
    # When the stranger asks for the same list with the owner's cursor
    # Then it is refused: nothing of the owner's list shows
    assert_refused(sec_world.api.get(f"{path}?limit=1&cursor={cursor}", token=sec_world.token("stranger")))


@pytest.mark.parametrize(("path", "owner"), LISTS)
def test_an_altered_cursor_is_refused(sec_world: World, path: str, owner: str) -> None:
    cursor = first_page(sec_world, path, owner)["next_cursor"]
    payload, signature = cursor.split(".", 1)
    position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    moved = {key: "0" if isinstance(value, str) else value for key, value in position.items()}
    forged = base64.urlsafe_b64encode(json.dumps(moved).encode()).rstrip(b"=").decode()
    for altered in (f"{forged}.{signature}", f"{payload}.{signature[:-2]}AA", payload, "e30", "x" * 2000):
        assert_refused(sec_world.api.get(f"{path}?limit=1&cursor={altered}", token=sec_world.token(owner)))


def test_a_cursor_of_another_list_is_refused(sec_world: World) -> None:
    cursor = first_page(sec_world, "/me/gigs", "client")["next_cursor"]
    assert_refused(sec_world.api.get(f"/me/contracts?limit=1&cursor={cursor}", token=sec_world.token("client")))


def test_a_cursor_with_other_filters_is_refused(sec_world: World) -> None:
    cursor = first_page(sec_world, "/me/gigs", "client")["next_cursor"]
    assert_refused(sec_world.api.get(f"/me/gigs?limit=1&status=cancelled&cursor={cursor}",
                                     token=sec_world.token("client")))


def test_the_owners_own_cursor_gives_the_next_page(sec_world: World) -> None:
    # The control: the same cursor, as its owner, works
    first = first_page(sec_world, "/me/gigs", "client")
    answer = sec_world.api.get(f"/me/gigs?limit=1&cursor={first['next_cursor']}", token=sec_world.token("client"))
    assert answer.status_code == 200 and answer.json_body["items"][0]["id"] != first["items"][0]["id"]
