"""The hot reads sent straight to DynamoDB: its JSON protocol over the botocore client's endpoint, credentials,
region and timeouts, signed with Signature Version 4, the answer's JSON taken as it comes.

A nearby page makes three or four Queries and a BatchGetItem. Through botocore each costs about 0.8 ms of CPU
before DynamoDB's answer is even read (the request's model, a dozen event hooks, the signer's generic
canonicalisation, the retry machinery, urllib3 behind botocore's HTTP session); the same call here costs about a
third of that, and a page's Queries go out together on kept connections instead of a thread each (docs/geo.md,
"fourth pass"). Only reads whose answers skip botocore's parser anyway
(:func:`gigcore.adapters.aws.raw_answers`) come this way, and only the happy path: a DynamoDB error (throttling
included), a dropped connection, a timeout or a checksum that does not match gives None, and the caller sends the
same read through botocore, which parses the error and retries as it always did. Reads are idempotent, so
sending one twice changes nothing.

What botocore would add and this leaves out, on purpose: its retries (the fallback has them), the SDK's user
agent telemetry, proxies (a Lambda function has none), and request compression (DynamoDB has none). With
tracing on, the reads sent together are one X-Ray subsegment, named and annotated as botocore's patch names a
DynamoDB call.

DynamoDB Local does not check signatures, so the signature is held to botocore's own signer instead
(tests/unit/test_dynamo_wire.py); ``GIGCONNECT_DYNAMODB_DIRECT_READS=false`` sends every read through botocore.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger

from gigcore.observability import SERVICE

logger = Logger(service=SERVICE, child=True)

_SERVICE = "dynamodb"
_TARGET_PREFIX = "DynamoDB_20120810."
_CONTENT_TYPE = "application/x-amz-json-1.0"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Keys(NamedTuple):
    """What a signature needs of the credentials (botocore's ``ReadOnlyCredentials`` has the same fields)."""

    access_key: str
    secret_key: str
    token: str | None


class Signer:
    """Signature Version 4 of a DynamoDB JSON request (``POST /``, no query string), the signing key kept for
    the day it is valid. The canonical request is the one botocore's ``SigV4Auth`` makes of the same headers."""

    def __init__(self, region: str, host: str) -> None:
        self._region = region
        self._host = host
        self._key: tuple[str, str, bytes] | None = None  # (secret, day, key)

    def _signing_key(self, secret: str, day: str) -> bytes:
        cached = self._key
        if cached is not None and cached[0] == secret and cached[1] == day:
            return cached[2]
        key = ("AWS4" + secret).encode()
        for part in (day, self._region, _SERVICE, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        self._key = (secret, day, key)
        return key

    def headers(self, keys: Keys, target: str, body: bytes, now: time.struct_time) -> dict[str, str]:
        """The request's headers, ``Authorization`` included, at ``now`` (UTC)."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", now)
        day = stamp[:8]
        signed = {"content-type": _CONTENT_TYPE, "host": self._host, "x-amz-date": stamp, "x-amz-target": target}
        if keys.token:
            signed["x-amz-security-token"] = keys.token
        names = sorted(signed)
        canonical = "\n".join(["POST", "/", "", *(f"{n}:{signed[n]}" for n in names), "", ";".join(names),
                               hashlib.sha256(body).hexdigest()])
        scope = f"{day}/{self._region}/{_SERVICE}/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._signing_key(keys.secret_key, day), to_sign.encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": _CONTENT_TYPE, "X-Amz-Date": stamp, "X-Amz-Target": target,
                   "Authorization": f"AWS4-HMAC-SHA256 Credential={keys.access_key}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={signature}"}
        if keys.token:
            headers["X-Amz-Security-Token"] = keys.token
        return headers


def host_of(endpoint: str) -> str:
    """The ``Host`` an endpoint URL is signed with: its port only when not the scheme's default."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


class DirectReads:
    """Sends DynamoDB reads itself; each answer is None whenever botocore should send that read instead.

    ``credentials`` gives the current keys on each call (botocore's refreshable credentials refresh there).
    Connections are kept open between calls (``http.client``, up to ``pool_size`` idle ones): a read on a kept
    connection that the other end closed meanwhile is sent once more on a new one, as urllib3 does for botocore.
    :meth:`send_all` writes every request before it reads any answer, each on its own connection: the reads of a
    nearby page take one round trip without a thread each."""

    def __init__(self, endpoint: str, region: str, credentials: Callable[[], Keys | None], *,
                 connect_timeout: float, read_timeout: float, pool_size: int, traced: bool = False,
                 ca_bundle: str | None = None) -> None:
        parts = urlsplit(endpoint)
        #: The certificates an HTTPS endpoint is checked against: botocore's (certifi's) unless given.
        self._ca_bundle = ca_bundle
        self._credentials = credentials
        self._signer = Signer(region, host_of(endpoint))
        self._region = region
        self._traced = traced
        self._address = (parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 80))
        self._https = parts.scheme == "https"
        self._path = parts.path or "/"
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_size = pool_size
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._tls: Any = None

    # ---- connections ------------------------------------------------------------------------------------

    def _new_connection(self) -> http.client.HTTPConnection:
        host, port = self._address
        if not self._https:
            return http.client.HTTPConnection(host, port, timeout=self._connect_timeout)
        if self._tls is None:
            import ssl

            from botocore.httpsession import get_cert_path

            self._tls = ssl.create_default_context(cafile=self._ca_bundle or get_cert_path(True))
        return http.client.HTTPSConnection(host, port, timeout=self._connect_timeout, context=self._tls)

    def _checkout(self) -> tuple[http.client.HTTPConnection, bool]:
        """A connection, and whether it was kept from an earlier call."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._new_connection(), False

    def _checkin(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._pool_size:
                self._idle.append(connection)
                return
        connection.close()

    # ---- calls --------------------------------------------------------------------------------------------

    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """``operation``'s answer when DynamoDB answered 200 with an intact body, else None (nothing raised)."""
        return self.send_all([(operation, params)])[0]

    def send_all(self, calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any] | None]:
        """The answers of ``calls``, in order (None where botocore should send the call)."""
        if not self._traced:
            return self._send_all(calls, None)
        from aws_xray_sdk.core import xray_recorder

        with xray_recorder.in_subsegment(_SERVICE) as subsegment:
            return self._send_all(calls, subsegment)

    def _send_all(self, calls: list[tuple[str, dict[str, Any]]], subsegment: Any) -> list[dict[str, Any] | None]:
        keys = self._credentials()
        if keys is None:
            return [None] * len(calls)
        now = time.gmtime()
        requests = []
        for operation, params in calls:
            body = json.dumps(params, separators=(",", ":")).encode()
            requests.append((body, self._signer.headers(keys, _TARGET_PREFIX + operation, body, now)))
        # Every request is written before any answer is read.
        sent = [self._start(body, headers) for body, headers in requests]
        answers: list[dict[str, Any] | None] = []
        statuses: list[int] = []
        for (body, headers), started in zip(requests, sent, strict=True):
            answer = None
            if started is not None:
                connection, kept = started
                answer = self._read(connection, statuses)
                if answer is _GONE and kept:
                    # The other end closed a kept connection while it was idle: once more, on a new one.
                    fresh = self._new_connection()
                    answer = self._read(fresh, statuses) if self._write(fresh, body, headers) else None
            answers.append(answer if isinstance(answer, dict) else None)
        if subsegment is not None:
            _annotate(subsegment, calls, self._region, statuses)
        return answers

    def _start(self, body: bytes, headers: dict[str, str]) -> tuple[http.client.HTTPConnection, bool] | None:
        """A connection the request was written on, and whether it was a kept one; None if it could not be."""
        connection, kept = self._checkout()
        if self._write(connection, body, headers):
            return connection, kept
        if not kept:
            return None
        # A kept connection the other end closed while it was idle: once more, on a new one.
        fresh = self._new_connection()
        return (fresh, False) if self._write(fresh, body, headers) else None

    def _write(self, connection: http.client.HTTPConnection, body: bytes, headers: dict[str, str]) -> bool:
        try:
            if connection.sock is None:
                connection.connect()  # within the connect timeout; then each read waits the read timeout
                sock: Any = connection.sock
                sock.settimeout(self._read_timeout)
            connection.request("POST", self._path, body=body, headers=headers)
            return True
        except (OSError, http.client.HTTPException) as exc:
            logger.debug("a DynamoDB read goes through botocore: %r", exc)
            connection.close()
            return False

    def _read(self, connection: http.client.HTTPConnection, statuses: list[int]) -> dict[str, Any] | object | None:
        """The answer of a 200, :data:`_GONE` when the connection was closed before any answer, else None."""
        try:
            response = connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            return _GONE
        except (OSError, http.client.HTTPException) as exc:
            logger.debug("a DynamoDB read goes through botocore: %r", exc)
            connection.close()
            return None
        statuses.append(response.status)
        if response.will_close:
            connection.close()
        else:
            self._checkin(connection)
        if response.status != 200:
            return None
        expected = response.getheader("x-amz-crc32")
        if expected is not None and zlib.crc32(data) & 0xFFFFFFFF != int(expected):
            return None
        try:
            answer: dict[str, Any] = json.loads(data)
        except ValueError:
            return None
        return answer


#: A kept connection closed by the other end before it answered.
_GONE = object()


def _annotate(subsegment: Any, calls: list[tuple[str, dict[str, Any]]], region: str, statuses: list[int]) -> None:
    """What aws-xray-sdk's botocore patch records of a DynamoDB call; the reads sent together are one
    subsegment (they overlap in time), with how many they were."""
    subsegment.namespace = "aws"
    operations = sorted({operation for operation, _ in calls})
    tables = sorted({p["TableName"] for _, p in calls if "TableName" in p}
                    | {name for _, p in calls for name in p.get("RequestItems", ())})
    aws: dict[str, Any] = {"operation": ",".join(operations), "region": region, "calls": len(calls)}
    if len(tables) == 1:
        aws["table_name"] = tables[0]
    elif tables:
        aws["table_names"] = tables
    subsegment.set_aws(aws)
    if statuses:
        subsegment.put_http_meta("status", max(statuses))


#: The direct sender of each DynamoDB client that has one (:func:`attach`).
_senders: weakref.WeakKeyDictionary[Any, DirectReads] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def attach(client: Any, credentials: Any, *, traced: bool) -> None:
    """Give ``client`` (a botocore DynamoDB client) a direct sender with its endpoint, region, timeouts and pool
    size, signing with ``credentials`` (botocore's, as a session gives them; None attaches nothing). HTTPS is
    checked against ``AWS_CA_BUNDLE`` when set, as botocore does (a ``ca_bundle`` of an AWS config file is not
    read: a function has none)."""
    if credentials is None:
        return

    def keys() -> Keys | None:
        frozen = credentials.get_frozen_credentials()
        return Keys(frozen.access_key, frozen.secret_key, frozen.token) if frozen.access_key else None

    config = client.meta.config
    sender = DirectReads(client.meta.endpoint_url, client.meta.region_name, keys,
                         connect_timeout=float(config.connect_timeout), read_timeout=float(config.read_timeout),
                         pool_size=int(config.max_pool_connections), traced=traced,
                         ca_bundle=os.environ.get("AWS_CA_BUNDLE") or None)
    with _lock:
        _senders[client] = sender


def sender_of(client: Any) -> DirectReads | None:
    return _senders.get(client)
