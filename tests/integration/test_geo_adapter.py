"""The geo adapter on DynamoDB Local: answers taken as JSON equal botocore's parsed answers, the shared client's
other Queries are still parsed by botocore, errors are still errors, and the entries written through the
low-level client are byte for byte the items the PynamoDB model wrote before."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import boto3
import pytest

from gigcore.domain import geo
from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.ports.gigs import RangeQuery
from tests.geo_entries import put_entries

pytestmark = pytest.mark.integration

LAGOS = (6.5244, 3.3792)


@pytest.fixture(scope="module")
def dynamo(stack_env):
    from gigcore import bootstrap

    container = bootstrap.container()
    _ = container.pynamodb  # binds the models to the local table
    return container


def entries(n: int) -> list[GeoEntry]:
    return [GeoEntry(id=f"01J{i:023d}", lat=LAGOS[0] + i * 1e-3, lng=LAGOS[1] - i * 7e-4,
                     category="plumbing" if i % 2 else None,
                     skills=frozenset({"pipes", "tiling"}) if i % 3 else frozenset(),
                     amount_min=1000 * i if i % 4 else None, amount_max=2000 * i + 1 if i % 4 else None,
                     currency="NGN" if i % 4 else None, availability="available" if i % 5 else None,
                     reach_km=2.5 * i if i % 2 else None)
            for i in range(n)]


def stored(dynamo, items: list[GeoEntry]):
    from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts

    name = "a" + uuid.uuid4().hex[:10]
    layout = PartitionLayout()
    put_entries(dynamo, name, layout, items)
    partition = layout.partition_of(items[0].key).name
    return name, partition, DynamoGeoIndex(dynamo.dynamodb, dynamo.settings.table_name, name, DynamoGeoLayouts())


def plain_client(settings):
    """A client of its own, with none of the adapter's hooks: what botocore parses."""
    return boto3.session.Session(region_name=settings.region).client("dynamodb",
                                                                      endpoint_url=settings.dynamodb_endpoint)


def test_answers_equal_what_botocore_parses(dynamo):
    from gigcore.adapters.dynamo_geo import entry_of, partition_key

    items = entries(30)
    name, partition, index = stored(dynamo, items)
    [whole, cut] = index.read([RangeQuery(partition=partition, lo=partition, hi=None),
                               RangeQuery(partition=partition, lo=partition, hi=None, limit=7)])
    parsed = plain_client(dynamo.settings).query(
        TableName=dynamo.settings.table_name, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": partition_key(name, partition)}})
    expected = [entry_of(item) for item in parsed["Items"]]
    assert list(whole.entries) == expected == sorted(items, key=lambda e: e.key)
    assert whole.scanned == 30 and whole.calls == 1 and whole.capacity > 0 and whole.stopped_at is None
    assert list(cut.entries) == expected[:7]
    assert cut.stopped_at == expected[6].key[: geo.KEY_PRECISION]


def test_the_shared_clients_other_queries_are_parsed_by_botocore(dynamo):
    """A binary attribute comes back as bytes only from botocore's parser (JSON has base64 text), also
    while geo Queries run on other threads of the same client."""
    client = dynamo.dynamodb
    table = dynamo.settings.table_name
    pk = f"TEST#{uuid.uuid4().hex}"
    client.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "x"}, "blob": {"B": b"\x00\x01gig"}})
    _, partition, index = stored(dynamo, entries(12))
    stop = threading.Event()

    def geo_reads() -> int:
        n = 0
        while not stop.is_set():
            assert len(index.read([RangeQuery(partition=partition, lo=partition, hi=None)])[0].entries) == 12
            n += 1
        return n

    with ThreadPoolExecutor(max_workers=2) as pool:
        running = [pool.submit(geo_reads) for _ in range(2)]
        try:
            for _ in range(20):
                answer = client.query(TableName=table, KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": {"S": pk}})
                assert answer["Items"][0]["blob"]["B"] == b"\x00\x01gig"
                assert answer["Count"] == 1 and "ResponseMetadata" in answer
        finally:
            stop.set()
        assert all(done.result() > 0 for done in running)


def test_an_error_answer_is_still_an_error(dynamo):
    from gigcore.adapters.dynamo_geo import GIG_INDEX, DynamoGeoIndex, DynamoGeoLayouts

    index = DynamoGeoIndex(dynamo.dynamodb, "no-such-table", GIG_INDEX, DynamoGeoLayouts())
    with pytest.raises(UpstreamUnavailableError):
        index.read([RangeQuery(partition="s14", lo="s14", hi=None)])


def test_only_the_dynamodb_client_leaves_the_parameter_check_to_the_service(dynamo):
    from botocore.exceptions import ClientError, ParamValidationError

    with pytest.raises(ClientError) as refused:  # sent, and refused by DynamoDB Local
        dynamo.dynamodb.query(TableName=dynamo.settings.table_name, Limit="twenty",
                              KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}})
    assert not isinstance(refused.value, ParamValidationError)
    with pytest.raises(ParamValidationError):  # refused by botocore before it is sent
        dynamo.aws.client("sqs").get_queue_url(QueueName=5)


def test_calls_carry_gigconnects_fixed_user_agent(dynamo):
    """issue 20 item 3: the User-Agent is set once in the clients' configuration instead of being assembled by
    botocore on every call (twice), which cost about a tenth of a warm Query's CPU."""
    from gigcore.adapters.aws import USER_AGENT

    sent: list[str] = []

    def seen(request, **_):
        sent.append(request.headers["User-Agent"])

    events = dynamo.dynamodb.meta.events
    events.register("before-send.dynamodb.DescribeTable", seen, unique_id="test-user-agent")
    try:
        dynamo.dynamodb.describe_table(TableName=dynamo.settings.table_name)
    finally:
        events.unregister("before-send.dynamodb.DescribeTable", unique_id="test-user-agent")
    [header] = [h.decode() if isinstance(h, bytes) else h for h in sent]
    assert header.startswith(f"{USER_AGENT} ") and USER_AGENT.startswith("gigconnect Boto3/")


def test_gigs_read_in_a_batch_without_botocores_parser_equal_gigs_read_one_by_one(dynamo, api):
    """``get_many`` (the nearby page's read) takes BatchGetItem's answer as JSON; what it builds is what the
    consistent single read builds, every field of every gig; and other BatchGetItem calls are still parsed."""
    from gigcore.adapters.dynamo_models import GigItem

    signup = api.post("/auth/signup", {"email": f"batch-{uuid.uuid4().hex[:10]}@example.com",
                                       "password": "correct horse battery", "name": "B", "roles": ["client"]})
    token = signup.json_body["access_token"]
    ids = []
    for i in range(5):
        body = {"title": f"Batch read {i}", "description": "d" * i, "category": "plumbing",
                "skills": ["pipes", "tiling"][: i % 3], "budget": {"min": {"amount": 1000 + i, "currency": "NGN"},
                                                               "max": {"amount": 9000, "currency": "NGN"},
                                                               "type": "hourly" if i % 2 else "fixed"},
                "remote": bool(i % 2), "urgency": "high"}
        if i % 2 == 0:
            body["location"] = {"lat": LAGOS[0] + i / 100, "lng": LAGOS[1]}
        answer = api.post("/gigs", body, token=token)
        assert answer.status_code == 201, answer.json_body
        ids.append(answer.json_body["id"])
    gigs = dynamo.gigs
    batch = gigs.get_many(ids)
    assert set(batch) == set(ids)
    for gig_id in ids:
        assert batch[gig_id] == gigs.get(gig_id)
    # Outside the adapter's read the same client's BatchGetItem answers are botocore's, as before.
    client = GigItem._get_connection().connection.client
    keys = [{"pk": {"S": f"GIG#{ids[0]}"}, "sk": {"S": "GIG"}}]
    parsed = client.batch_get_item(RequestItems={dynamo.settings.table_name: {"Keys": keys}})
    assert parsed["Responses"][dynamo.settings.table_name][0]["id"] == {"S": ids[0]}


def test_users_read_in_a_batch_equal_users_read_one_by_one(dynamo, api):
    """``get_many`` of users (the freelancer search's and near-me's read) builds what the single read does."""
    ids = []
    for i in range(3):
        answer = api.post("/auth/signup", {"email": f"ubatch-{uuid.uuid4().hex[:10]}@example.com",
                                           "password": "correct horse battery", "name": f"U {i}",
                                           "roles": ["freelancer"] if i % 2 else ["client"]})
        assert answer.status_code == 201, answer.json_body
        ids.append(answer.json_body["user"]["id"])
    users = dynamo.users
    batch = users.get_many([*ids, "01JNOSUCHUSER0000000000000"])
    assert set(batch) == set(ids)
    for user_id in ids:
        assert batch[user_id] == users.get(user_id)


def test_a_query_for_some_fields_reads_only_those(dynamo):
    """issue 20 item 3: a search without filters asks for no filter attribute (a projection); what it gets
    back is the entries' ids and exact locations, the rest left at their defaults."""
    items = entries(12)
    _, partition, index = stored(dynamo, items)
    [bare, some, every] = index.read([
        RangeQuery(partition=partition, lo=partition, hi=None, fields=frozenset()),
        RangeQuery(partition=partition, lo=partition, hi=None,
                   fields=frozenset({"category", "amount_min", "amount_max"})),
        RangeQuery(partition=partition, lo=partition, hi=None)])
    ordered = sorted(items, key=lambda e: e.key)
    assert list(every.entries) == ordered
    assert list(bare.entries) == [GeoEntry(id=e.id, lat=e.lat, lng=e.lng) for e in ordered]
    assert list(some.entries) == [GeoEntry(id=e.id, lat=e.lat, lng=e.lng, category=e.category,
                                           amount_min=e.amount_min, amount_max=e.amount_max) for e in ordered]


def test_a_gig_search_without_filters_reads_locations_and_expiries(dynamo):
    """What a gig page without filters reads (``until`` only): ids, exact locations and the expiry where there is
    one; every other field at its default."""
    items = [replace(e, until=1_893_456_000 + i if i % 2 else None) for i, e in enumerate(entries(8))]
    _, partition, index = stored(dynamo, items)
    [answer] = index.read([RangeQuery(partition=partition, lo=partition, hi=None, fields=frozenset({"until"}))])
    assert list(answer.entries) == [GeoEntry(id=e.id, lat=e.lat, lng=e.lng, until=e.until)
                                    for e in sorted(items, key=lambda e: e.key)]


def test_an_entry_written_now_is_the_item_the_model_wrote_before(dynamo):
    """issue 20 item 2: the writers put geo entries through the low-level client (``geo_item``); every entry is
    stored exactly as the PynamoDB model ``GeoItem`` stored it, so entries written before and after read alike."""
    from gigcore.adapters.dynamo_geo import entry_of, geo_item
    from gigcore.adapters.dynamo_models import GeoItem

    # Given entries with every field present and absent, and fractional, whole and long coordinates and amounts
    items = [*entries(12), GeoEntry(id="01JZ" + "0" * 22, lat=-0.000000001, lng=179.999999999, reach_km=0.0),
             GeoEntry(id="01JY" + "0" * 22, lat=89.5, lng=-180.0, amount_min=0, amount_max=10**12, currency="USD"),
             GeoEntry(id="01JX" + "0" * 22, lat=6.5, lng=3.4, until=1_893_456_000)]
    layout = PartitionLayout()
    old, new = "o" + uuid.uuid4().hex[:10], "n" + uuid.uuid4().hex[:10]
    # When each is written once through the model (before) and once through the low-level client (now)
    with GeoItem.batch_write() as batch:
        for entry in items:
            written = geo_item(old, layout, entry)
            batch.save(GeoItem(pk=written.pk, sk=written.sk, lat=entry.lat, lng=entry.lng, category=entry.category,
                               skills=sorted(entry.skills) or None, amount_min=entry.amount_min,
                               amount_max=entry.amount_max, currency=entry.currency,
                               availability=entry.availability, reach_km=entry.reach_km,
                               expires_at=entry.until))
    put_entries(dynamo, new, layout, items)
    # Then DynamoDB holds the same attributes, byte for byte, apart from the index's name in the key
    client, table = plain_client(dynamo.settings), dynamo.settings.table_name

    def stored(name: str, entry: GeoEntry) -> dict:
        key = geo_item(name, layout, entry)
        item = client.get_item(TableName=table, Key={"pk": {"S": key.pk}, "sk": {"S": key.sk}},
                               ConsistentRead=True)["Item"]
        assert item.pop("pk") == {"S": key.pk}
        return item

    for entry in items:
        before, now = stored(old, entry), stored(new, entry)
        assert now == before
        assert entry_of(now) == entry
