"""What a chat message costs in DynamoDB, and the write path that makes it cheap (issue 20 item 4).

The figures are DynamoDB Local's ``ReturnConsumedCapacity``, with each refused conditional write counted as
the write AWS bills it as (DynamoDB Local reports nothing for a refused write)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
#: Over the chat rate limit's interval (20 per 10 s).
PACE = 0.55


@dataclass
class Capacity:
    write_units: float = 0.0
    read_units: float = 0.0
    index_units: float = 0.0
    transactions: int = 0
    calls: list[str] = field(default_factory=list)


@pytest.fixture
def capacity(stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Capacity]:
    seen = Capacity()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name != "dynamodb" or operation not in WRITES | READS:
            return original(client, operation, params)
        seen.calls.append(operation)
        seen.transactions += operation == "TransactWriteItems"
        try:
            answer = original(client, operation, dict(params, ReturnConsumedCapacity="INDEXES"))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                seen.write_units += 1  # billed although DynamoDB Local reports nothing
                seen.calls.append(f"refused {operation}")
            raise
        consumed = answer.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            units = float(entry.get("CapacityUnits", 0))
            if operation in WRITES:
                seen.write_units += units
            else:
                seen.read_units += units
            seen.index_units += sum(float(i.get("CapacityUnits", 0))
                                    for i in (entry.get("GlobalSecondaryIndexes") or {}).values())
        return answer

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    yield seen


def user(api: Any) -> dict[str, Any]:
    body = {"email": f"cost-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery",
            "name": "Cost", "roles": ["client"]}
    return dict(api.post("/auth/signup", body).json_body)


def start(api: Any, a: dict[str, Any], b: dict[str, Any]) -> str:
    return str(api.post("/conversations", {"participant_ids": [b["user"]["id"]]},
                        token=a["access_token"]).json_body["id"])


def say(api: Any, who: dict[str, Any], conversation_id: str, text: str, client_msg_id: str | None = None) -> Any:
    return api.post(f"/conversations/{conversation_id}/messages",
                    {"body": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}, token=who["access_token"])


def inbox(api: Any, who: dict[str, Any], limit: int = 100) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        path = f"/conversations?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(path, token=who["access_token"]).json_body
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_a_message_costs_at_most_six_write_units_and_no_index_write(api, capacity):
    """Before: ~21 WCU (two transactions, which count twice, and inbox items that moved in gsi1).

    Sent at a person's pace (over the rate limit's interval, 0.5 s by default); a burst is the next test."""
    a, b = user(api), user(api)
    conversation_id = start(api, a, b)
    say(api, a, conversation_id, "first: claims b's quiet period for offline notifications")
    time.sleep(PACE)
    capacity.write_units = capacity.read_units = capacity.index_units = capacity.transactions = 0
    capacity.calls.clear()
    for n in range(6):
        assert say(api, a, conversation_id, f"hello {n}").status_code == 201
        time.sleep(PACE)
    assert capacity.write_units / 6 <= 6.0, capacity
    assert capacity.index_units == 0 and capacity.transactions == 0, capacity
    # ... and every chat behaviour the inbox shows is still there.
    (mine,) = [c for c in inbox(api, b) if c["id"] == conversation_id]
    assert mine["unread_count"] == 7 and mine["last_message"]["body"] == "hello 5"


def test_a_burst_of_messages_costs_no_more_per_message(api, capacity):
    """Faster than the rate limit's interval (20 per 10 s), the sender's bucket is in use: the take guesses so from
    the bucket's last state in this process, so it costs one write, not a refused one first (7 WCU before)."""
    a, b = user(api), user(api)
    conversation_id = start(api, a, b)
    say(api, a, conversation_id, "first: claims b's quiet period for offline notifications")
    capacity.write_units = capacity.read_units = capacity.index_units = capacity.transactions = 0
    capacity.calls.clear()
    for n in range(6):
        assert say(api, a, conversation_id, f"quick {n}").status_code == 201
    assert capacity.write_units / 6 <= 6.0, capacity
    assert "refused UpdateItem" not in capacity.calls, capacity


def test_the_inbox_is_ordered_by_latest_activity_across_pages(api):
    me = user(api)
    others = [user(api) for _ in range(5)]
    conversations = [start(api, me, other) for other in others]
    for index in (3, 0, 4, 1):
        assert say(api, others[index], conversations[index], f"from {index}").status_code == 201
    listed = [c["id"] for c in inbox(api, me, limit=2)]
    # 2 has no message: its creation is its latest activity, older than every message.
    assert listed == [conversations[i] for i in (1, 4, 0, 3, 2)]
    assert say(api, me, conversations[2], "now me").status_code == 201
    assert [c["id"] for c in inbox(api, me, limit=3)][0] == conversations[2]


def test_a_send_that_stopped_between_its_two_writes_is_completed_by_its_retry(api, monkeypatch):
    """The dedup marker and the message are two writes: a crash between them must not lose the message or
    make its retry fail; the retry stores it once, under the first attempt's id, and it is new to the others."""
    from gigcore import bootstrap

    a, b = user(api), user(api)
    conversation_id = start(api, a, b)
    client = bootstrap.container().dynamodb
    original = type(client).put_item if hasattr(type(client), "put_item") else None
    assert original is not None

    def crash_on_the_message(self: Any, **kwargs: Any) -> Any:
        if kwargs.get("Item", {}).get("sk", {}).get("S", "").startswith("MSG#"):
            raise ConnectionError("the instance stopped here")
        return original(self, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(type(client), "put_item", crash_on_the_message)
        assert say(api, a, conversation_id, "lost?", client_msg_id="crash-1").status_code >= 500
    retried = say(api, a, conversation_id, "lost?", client_msg_id="crash-1")
    assert retried.status_code == 201, retried.json_body
    again = say(api, a, conversation_id, "lost?", client_msg_id="crash-1")
    assert again.status_code == 201 and again.json_body["id"] == retried.json_body["id"]
    history = api.get(f"/conversations/{conversation_id}/messages", token=b["access_token"]).json_body["items"]
    assert [m["id"] for m in history] == [retried.json_body["id"]]
    (mine,) = [c for c in inbox(api, b) if c["id"] == conversation_id]
    assert mine["unread_count"] == 1 and mine["last_message"]["id"] == retried.json_body["id"]


def test_memberships_written_while_the_inbox_was_an_index_keep_their_place_and_leave_the_index(api):
    from gigcore import bootstrap

    me, one, two = user(api), user(api), user(api)
    older, newer = start(api, me, one), start(api, me, two)
    say(api, one, older, "older")
    say(api, two, newer, "newer")
    container = bootstrap.container()
    table, dynamodb = container.settings.table_name, container.dynamodb
    for conversation_id in (older, newer):  # as the index kept them: gsi1pk/gsi1sk, no inbox attribute
        key = {"pk": {"S": f"USER#{me['user']['id']}"}, "sk": {"S": f"MEMBER#{conversation_id}"}}
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET gsi1pk = :pk, gsi1sk = :sk REMOVE inbox",
                             ExpressionAttributeValues={":pk": {"S": f"INBOX#{me['user']['id']}"},
                                                        ":sk": item["inbox"]})
    assert [c["id"] for c in inbox(api, me, limit=1)] == [newer, older]
    say(api, one, older, "again")
    assert [c["id"] for c in inbox(api, me)] == [older, newer]
    key = {"pk": {"S": f"USER#{me['user']['id']}"}, "sk": {"S": f"MEMBER#{older}"}}
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert "gsi1pk" not in item and "gsi1sk" not in item
