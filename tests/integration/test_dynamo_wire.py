"""The direct DynamoDB reads (gigcore.adapters.dynamo_wire) on DynamoDB Local: the answers botocore's raw
answers would be, several Queries sent together, and every failure handed back to botocore, which raises or
retries as it always did. The connection failures (a kept connection the other end closed, a damaged body)
cannot be made on DynamoDB Local; a socket server of a few lines answers those."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from gigcore.adapters.aws import unparsed_answers, unparsed_read
from gigcore.adapters.dynamo_wire import DirectReads, Keys, attach, sender_of

pytestmark = pytest.mark.integration

KEYS = Keys("local", "local", None)


@pytest.fixture(scope="module")
def dynamo(stack_env):
    from gigcore import bootstrap

    return bootstrap.container()


def direct(endpoint: str, **options: Any) -> DirectReads:
    return DirectReads(endpoint, "us-east-1", lambda: KEYS, connect_timeout=2, read_timeout=2, pool_size=4,
                       **options)


@pytest.fixture
def stored(dynamo) -> tuple[str, list[dict[str, Any]]]:
    """Twelve items under a key of their own."""
    pk = f"TEST#{uuid.uuid4().hex}"
    table = dynamo.settings.table_name
    items = [{"pk": {"S": pk}, "sk": {"S": f"{i:03d}"}, "n": {"N": f"{i}.5"}, "tags": {"SS": ["a", f"t{i}"]},
              "m": {"M": {"ok": {"BOOL": i % 2 == 0}, "none": {"NULL": True}, "l": {"L": [{"S": "x"}]}}}}
             for i in range(12)]
    for item in items:
        dynamo.dynamodb.put_item(TableName=table, Item=item)
    return pk, items


def query(table: str, pk: str, **more: Any) -> dict[str, Any]:
    return {"TableName": table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": pk}},
            "ReturnConsumedCapacity": "TOTAL", **more}


def through_botocore(client: Any, method: str, params: dict[str, Any]) -> dict[str, Any]:
    with unparsed_answers():
        answer: dict[str, Any] = getattr(client, method)(**params)
    answer.pop("ResponseMetadata", None)
    return answer


def test_the_shared_client_sends_its_hot_reads_directly_unless_the_setting_says_not(dynamo, stack_settings):
    from gigcore.adapters.aws import AwsClients

    assert sender_of(dynamo.dynamodb) is not None
    off = AwsClients(stack_settings.model_copy(update={"dynamodb_direct_reads": False}))
    assert sender_of(off.client("dynamodb")) is None


def test_answers_are_botocores_raw_answers(dynamo, stored):
    pk, items = stored
    table = dynamo.settings.table_name
    sender = sender_of(dynamo.dynamodb)
    assert sender is not None
    for params in (query(table, pk), query(table, pk, Limit=5), query(table, pk, ScanIndexForward=False,
                                                                        ProjectionExpression="sk, n")):
        answer = sender.send("Query", params)
        assert answer == through_botocore(dynamo.dynamodb, "query", params)
    page = sender.send("Query", query(table, pk, Limit=5))
    assert page is not None and page["Items"] == items[:5] and page["LastEvaluatedKey"] == {
        "pk": {"S": pk}, "sk": {"S": "004"}}
    keys = {"RequestItems": {table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": f"{i:03d}"}} for i in (3, 7, 99)]}}}
    got = sender.send("BatchGetItem", keys)
    assert got is not None
    assert sorted(got["Responses"][table], key=lambda i: i["sk"]["S"]) == [items[3], items[7]]


def test_reads_sent_together_answer_each_in_order(dynamo, stored):
    pk, items = stored
    table = dynamo.settings.table_name
    sender = sender_of(dynamo.dynamodb)
    calls = [("Query", query(table, pk, Limit=n)) for n in (1, 4, 12)] + [("Query", query(table, "TEST#none"))]
    answers = sender.send_all(calls)
    assert [len(a["Items"]) for a in answers] == [1, 4, 12, 0]
    assert answers[2]["Items"] == items


def test_an_error_goes_through_botocore_which_raises_it(dynamo, stored):
    pk, _ = stored
    params = query("no-such-table", pk)
    assert sender_of(dynamo.dynamodb).send("Query", params) is None
    with pytest.raises(ClientError) as raised:
        unparsed_read(dynamo.dynamodb, "Query", params)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_read_the_sender_could_not_send_is_sent_by_botocore(dynamo, stored):
    """A client whose sender points at a closed port still answers: botocore sends the read."""
    import boto3

    pk, items = stored
    from gigcore.adapters import dynamo_wire
    from gigcore.adapters.aws import raw_answers

    client = boto3.session.Session(region_name=dynamo.settings.region).client(
        "dynamodb", endpoint_url=dynamo.settings.dynamodb_endpoint)
    raw_answers(client, "Query")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    dynamo_wire._senders[client] = direct(f"http://127.0.0.1:{port}")  # a sender pointed at nothing
    assert sender_of(client).send("Query", query(dynamo.settings.table_name, pk)) is None
    assert unparsed_read(client, "Query", query(dynamo.settings.table_name, pk))["Items"] == items


class OneShotServer:
    """Answers each HTTP request with ``body`` (and ``crc`` as its checksum), then closes the connection without
    saying so: a kept connection the other end dropped while it was idle."""

    def __init__(self, body: bytes, crc: int | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.body, self.crc = body, crc if crc is not None else zlib.crc32(body)
        self.connections = 0
        self._tls = tls
        self._socket = socket.create_server(("127.0.0.1", 0))
        scheme = "https" if tls else "http"
        self.endpoint = f"{scheme}://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            if self._tls is not None:
                try:
                    connection = self._tls.wrap_socket(connection, server_side=True)
                except (ssl.SSLError, OSError):
                    connection.close()
                    continue
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                head, _, rest = request.partition(b"\r\n\r\n")
                length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")][0])
                while len(rest) < length:
                    rest += connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                                   b"x-amz-crc32: %d\r\nContent-Length: %d\r\n\r\n%s"
                                   % (self.crc, len(self.body), self.body))

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def server() -> Iterator[Any]:
    made: list[OneShotServer] = []

    def make(body: bytes, crc: int | None = None, tls: ssl.SSLContext | None = None) -> OneShotServer:
        made.append(OneShotServer(body, crc, tls))
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_a_kept_connection_the_other_end_closed_is_replaced_and_the_read_answered(server):
    one = server(json.dumps({"Items": [], "Count": 0}).encode())
    sender = direct(one.endpoint)
    assert sender.send("Query", {"TableName": "t"}) == {"Items": [], "Count": 0}
    assert sender.send("Query", {"TableName": "t"}) == {"Items": [], "Count": 0}  # the kept one was closed
    assert one.connections == 2
    answers = sender.send_all([("Query", {"TableName": "t"})] * 3)
    assert answers == [{"Items": [], "Count": 0}] * 3


def test_a_body_that_does_not_match_its_checksum_goes_through_botocore(server):
    body = json.dumps({"Items": [{"pk": {"S": "x"}}]}).encode()
    damaged = server(body, crc=zlib.crc32(body) ^ 1)
    assert direct(damaged.endpoint).send("Query", {"TableName": "t"}) is None
    intact = server(body)
    assert direct(intact.endpoint).send("Query", {"TableName": "t"}) == {"Items": [{"pk": {"S": "x"}}]}
    not_json = server(b"<html>a proxy's page</html>")
    assert direct(not_json.endpoint).send("Query", {"TableName": "t"}) is None


def self_signed(directory: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a certificate for 127.0.0.1, and the path of that certificate (its own CA)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gigconnect-test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, str(cert_path)


def test_https_is_checked_against_the_ca_bundle_and_an_unknown_certificate_goes_through_botocore(server, tmp_path,
                                                                                                 monkeypatch):
    context, ca = self_signed(tmp_path)
    one = server(json.dumps({"Items": [], "Count": 0}).encode(), tls=context)
    assert direct(one.endpoint).send("Query", {"TableName": "t"}) is None  # not signed by certifi's CAs
    assert direct(one.endpoint, ca_bundle=ca).send("Query", {"TableName": "t"}) == {"Items": [], "Count": 0}
    # attach() takes the bundle from AWS_CA_BUNDLE, as botocore does
    import boto3

    monkeypatch.setenv("AWS_CA_BUNDLE", ca)
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                    region_name="us-east-1")
    client = session.client("dynamodb", endpoint_url=one.endpoint)
    attach(client, session.get_credentials(), traced=False)
    assert sender_of(client).send("Query", {"TableName": "t"}) == {"Items": [], "Count": 0}


def test_with_tracing_the_reads_are_an_x_ray_subsegment(dynamo, stored):
    from aws_xray_sdk.core import xray_recorder

    pk, _ = stored
    table = dynamo.settings.table_name
    sender = direct(dynamo.settings.dynamodb_endpoint, traced=True)
    segment = xray_recorder.begin_segment("gigconnect-test", sampling=1)
    try:
        answers = sender.send_all([("Query", query(table, pk)), ("Query", query(table, pk, Limit=2))])
        assert [len(a["Items"]) for a in answers] == [12, 2]
        [sub] = segment.subsegments
        assert sub.name == "dynamodb" and sub.namespace == "aws"
        assert sub.aws["operation"] == "Query" and sub.aws["table_name"] == table and sub.aws["calls"] == 2
        assert sub.http["response"]["status"] == 200
    finally:
        xray_recorder.clear_trace_entities()


def test_a_searchs_range_reads_go_out_together_and_answer_as_the_thread_pool_did(dynamo, monkeypatch):
    """The geo index sends a search's Queries in one send_all (no thread each); the answers equal those of the
    same index on a client without a direct sender (botocore, one thread per Query)."""
    import boto3

    from gigcore.adapters.aws import raw_answers
    from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts
    from gigcore.domain.geo import GeoEntry, PartitionLayout
    from gigcore.ports.gigs import RangeQuery
    from tests.geo_entries import put_entries

    _ = dynamo.pynamodb  # binds the models to the local table
    name = "w" + uuid.uuid4().hex[:10]
    layout = PartitionLayout()
    entries = [GeoEntry(id=f"01J{i:023d}", lat=6.4 + i * 0.01, lng=3.3 + i * 0.013) for i in range(40)]
    put_entries(dynamo, name, layout, entries)
    partition = layout.partition_of(entries[0].key).name
    keys = sorted(e.key for e in entries)
    queries = [RangeQuery(partition=partition, lo=keys[0], hi=keys[10]),
               RangeQuery(partition=partition, lo=keys[10], hi=keys[30], limit=7),
               RangeQuery(partition=partition, lo=keys[30], hi=None)]
    direct_index = DynamoGeoIndex(dynamo.dynamodb, dynamo.settings.table_name, name, DynamoGeoLayouts())
    batches: list[int] = []
    original = DirectReads.send_all
    monkeypatch.setattr(DirectReads, "send_all", lambda self, calls: batches.append(len(calls)) or original(self,
                                                                                                          calls))
    sent = direct_index.read(queries)
    assert batches == [3]
    plain = boto3.session.Session(region_name=dynamo.settings.region).client(
        "dynamodb", endpoint_url=dynamo.settings.dynamodb_endpoint)
    raw_answers(plain, "Query")
    pooled = DynamoGeoIndex(plain, dynamo.settings.table_name, name, DynamoGeoLayouts()).read(queries)
    assert batches == [3] and sent == pooled
    assert [len(a.entries) for a in sent] == [10, 7, 10] and sent[1].stopped_at is not None


def test_bench_capacity_counts_the_capacity_of_the_reads_sent_directly(server, monkeypatch):
    """bench/capacity prices what DynamoDB bills: a read sent directly is billed as one sent by botocore, so its
    instrumentation counts both (it once counted only botocore's, and priced a nearby page's Queries at nothing)."""
    import logging

    from botocore.client import BaseClient

    from bench import capacity
    from gigcore.observability import logger as service_logger

    # What _instrument replaces is put back after the test.
    monkeypatch.setattr(BaseClient, "_make_api_call", BaseClient._make_api_call)
    monkeypatch.setattr(DirectReads, "send_all", DirectReads.send_all)
    monkeypatch.setattr(capacity, "COUNTER", capacity.Counter())
    parent = logging.getLogger(service_logger.name)
    handlers = list(parent.handlers)
    try:
        capacity._instrument()
        one = server(json.dumps({"Items": [], "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1.5}}).encode())
        assert direct(one.endpoint).send("Query", {"TableName": "t"}) is not None
    finally:
        parent.handlers[:] = handlers
    assert capacity.COUNTER.read_units == 1.5
    assert capacity.COUNTER.calls == {"dynamodb.Query": 1}


def test_a_read_the_batch_could_not_send_goes_to_botocore_without_a_second_direct_try(dynamo, monkeypatch):
    """A throttled or unreachable table is not sent a read three times (batch, direct again, botocore): what the
    batch could not send, botocore sends, and the answers are right."""
    import boto3

    from gigcore.adapters import dynamo_wire
    from gigcore.adapters.aws import raw_answers
    from gigcore.adapters.dynamo_geo import DynamoGeoIndex, DynamoGeoLayouts
    from gigcore.domain.geo import GeoEntry, PartitionLayout
    from gigcore.ports.gigs import RangeQuery
    from tests.geo_entries import put_entries

    _ = dynamo.pynamodb
    name = "f" + uuid.uuid4().hex[:10]
    layout = PartitionLayout()
    entries = [GeoEntry(id=f"01J{i:023d}", lat=6.4 + i * 0.01, lng=3.3 + i * 0.013) for i in range(12)]
    put_entries(dynamo, name, layout, entries)
    partition = layout.partition_of(entries[0].key).name
    keys = sorted(e.key for e in entries)
    client = boto3.session.Session(region_name=dynamo.settings.region).client(
        "dynamodb", endpoint_url=dynamo.settings.dynamodb_endpoint)
    raw_answers(client, "Query")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    dynamo_wire._senders[client] = direct(f"http://127.0.0.1:{port}")  # every direct read fails
    batches: list[int] = []
    original = DirectReads.send_all
    monkeypatch.setattr(DirectReads, "send_all", lambda self, calls: batches.append(len(calls)) or original(self,
                                                                                                          calls))
    index = DynamoGeoIndex(client, dynamo.settings.table_name, name, DynamoGeoLayouts())
    answers = index.read([RangeQuery(partition=partition, lo=keys[0], hi=keys[6]),
                          RangeQuery(partition=partition, lo=keys[6], hi=None)])
    assert [len(a.entries) for a in answers] == [6, 6]
    assert batches == [2]  # the batch only: botocore sent both reads
