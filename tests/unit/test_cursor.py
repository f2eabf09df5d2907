"""Cursors are opaque, tamper-evident and bound to the query that produced them."""

import pytest

from gigcore.domain.cursor import CursorCodec
from gigcore.domain.errors import MalformedRequestError

codec = CursorCodec(b"0123456789abcdef0123456789abcdef")
QUERY = {"lat": "6.5", "lng": "3.4", "radius_km": "10", "limit": "20"}


def test_a_cursor_gives_back_its_position_for_the_same_query():
    cursor = codec.encode({"cell": "s1", "after": 12}, scope="/gigs/nearby", params=QUERY)
    assert codec.decode(cursor, scope="/gigs/nearby", params=QUERY | {"limit": "50"}) == {"cell": "s1", "after": 12}


def test_a_cursor_replayed_on_other_filters_is_refused():
    cursor = codec.encode({"after": 1}, scope="/gigs/nearby", params=QUERY)
    with pytest.raises(MalformedRequestError) as caught:
        codec.decode(cursor, scope="/gigs/nearby", params=QUERY | {"radius_km": "50"})
    assert caught.value.status == 400
    assert caught.value.details[0].field == "cursor"


def test_a_cursor_of_another_path_is_refused():
    cursor = codec.encode({"after": 1}, scope="/me/gigs", params={})
    with pytest.raises(MalformedRequestError):
        codec.decode(cursor, scope="/me/applications", params={})


@pytest.mark.parametrize("forged", ["", "abc", "e30.AAAA", "not.a.cursor", "e30"])
def test_forged_cursors_are_refused(forged):
    with pytest.raises(MalformedRequestError):
        codec.decode(forged, scope="/x", params={})


def test_a_cursor_with_a_flipped_payload_byte_is_refused():
    cursor = codec.encode({"after": 1}, scope="/x", params={})
    payload, signature = cursor.split(".")
    tampered = ("f" if payload[0] != "f" else "g") + payload[1:] + "." + signature
    with pytest.raises(MalformedRequestError):
        codec.decode(tampered, scope="/x", params={})


def test_a_cursor_does_not_show_its_content_in_clear():
    cursor = codec.encode({"owner": "secret-owner-id"}, scope="/x", params={})
    assert "secret-owner-id" not in cursor
