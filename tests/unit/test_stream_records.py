"""What the outbox router reads of the table's stream (issue 17 item 2: the decoding moved from the view to
``DynamoStreamRecords`` behind the composition root), and what the router does with it: an inserted event item is
its event, a gig or profile updated or removed is a change this process hears of before any event is routed."""

from __future__ import annotations

from typing import Any

from gigcore.adapters.dynamo_outbox import DynamoStreamRecords, event_item
from gigcore.ports import OutboxEvent
from gigcore.ports.changes import EntityChanged
from gigcore.services.events import message_body, relay
from tests.fakes import FakeQueue

EVENT = OutboxEvent(id="01EVENT", type="gig.created", queue="search-indexing", payload={"gig_id": "01GIG", "n": 2})


def record(name: str, sequence: str, keys: dict[str, Any], new: dict[str, Any] | None = None) -> dict[str, Any]:
    """A record as Lambda's DynamoDB event source delivers it."""
    dynamodb: dict[str, Any] = {"SequenceNumber": sequence, "Keys": keys}
    if new is not None:
        dynamodb["NewImage"] = new
    return {"eventName": name, "dynamodb": dynamodb}


def keys(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_an_inserted_event_item_reads_as_its_event():
    item = event_item(EVENT, "main")["Put"]["Item"]
    read = DynamoStreamRecords().read(record("INSERT", "101", keys("EVENT#01EVENT", "EVENT"), item))
    assert read.sequence_number == "101" and read.event == EVENT and read.changed is None


def test_a_gig_or_profile_updated_or_removed_reads_as_its_change():
    reader = DynamoStreamRecords()
    gig = reader.read(record("MODIFY", "102", keys("GIG#01GIG", "GIG")))
    user = reader.read(record("REMOVE", "103", keys("USER#01USER", "PROFILE")))
    assert (gig.changed, gig.event) == (EntityChanged("gig", "01GIG"), None)
    assert (user.changed, user.event) == (EntityChanged("user", "01USER"), None)


def test_any_other_record_says_only_where_it_stands():
    reader = DynamoStreamRecords()
    inserted_gig = reader.read(record("INSERT", "104", keys("GIG#01NEW", "GIG"), {"kind": {"S": "gig"}}))
    other = reader.read(record("MODIFY", "105", keys("EMAIL#a@b.c", "EMAIL")))
    assert [(r.sequence_number, r.event, r.changed) for r in (inserted_gig, other)] == [("104", None, None),
                                                                                       ("105", None, None)]


def test_the_router_tells_the_changes_and_routes_the_events():
    reader, queue, heard = DynamoStreamRecords(), FakeQueue(), []
    item = event_item(EVENT, "main")["Put"]["Item"]
    records = [reader.read(r) for r in (record("INSERT", "1", keys("EVENT#01EVENT", "EVENT"), item),
                                        record("MODIFY", "2", keys("GIG#01GIG", "GIG")))]
    assert relay(records, queue, heard.append) == []
    assert heard == [EntityChanged("gig", "01GIG")]
    assert queue.sent == [("search-indexing", message_body(EVENT))]
