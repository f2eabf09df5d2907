"""boto3 clients built from settings: local endpoints when set, the real AWS otherwise."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from gigcore.domain.errors import RetryableError, UpstreamUnavailableError
from gigcore.settings import Settings

if TYPE_CHECKING:
    # The types-boto3-* stubs (requirements/dev.txt): mypy checks every call's parameters and answer against
    # the service's model. Only the type checker reads them; the Lambda layer does not carry them.
    from types_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient
    from types_boto3_dynamodb import DynamoDBClient
    from types_boto3_dynamodbstreams import DynamoDBStreamsClient
    from types_boto3_s3 import S3Client
    from types_boto3_secretsmanager import SecretsManagerClient
    from types_boto3_ses import SESClient
    from types_boto3_sns import SNSClient
    from types_boto3_sqs import SQSClient

_THROTTLING = frozenset({
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "Throttling",
})

#: A fixed User-Agent: left to botocore, it is assembled twice per call from a dozen sanitised parts (the SDK,
#: the OS, the language, the features the call used), about a tenth of a warm DynamoDB Query's CPU (a nearby
#: page makes four or five calls). What AWS loses is only its telemetry of which SDK features we use. (boto3's
#: session appends ``Botocore/<version>``.)
USER_AGENT = f"gigconnect Boto3/{boto3.__version__}"
_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10,
                 user_agent=USER_AGENT)
#: DynamoDB checks every request itself (and so does DynamoDB Local, which the tests run against), so the
#: client skips botocore's own walk of the parameters over the model: about a tenth of a warm call's CPU,
#: and a nearby page makes several calls. A malformed request is then refused by the service
#: (``ValidationException``) instead of by botocore; both become the same domain error (:func:`as_domain_error`).
#: The other services keep the check (moto checks less than the services do).
_SERVICE_CONFIG = {"dynamodb": _CONFIG.merge(Config(parameter_validation=False))}


class AwsClients:
    """Creates each boto3 client once, lazily (cold-start time is paid only for what is used)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session = boto3.session.Session(region_name=settings.region)
        self._clients: dict[str, Any] = {}

    @overload
    def client(self, service: Literal["dynamodb"]) -> DynamoDBClient: ...
    @overload
    def client(self, service: Literal["dynamodbstreams"]) -> DynamoDBStreamsClient: ...
    @overload
    def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def client(self, service: Literal["s3"]) -> S3Client: ...
    @overload
    def client(self, service: Literal["ses"]) -> SESClient: ...
    @overload
    def client(self, service: Literal["sns"]) -> SNSClient: ...
    @overload
    def client(self, service: Literal["apigatewaymanagementapi"]) -> ApiGatewayManagementApiClient: ...
    @overload
    def client(self, service: Literal["secretsmanager"]) -> SecretsManagerClient: ...

    def client(self, service: str) -> Any:
        """The client of ``service``, typed by the types-boto3 stubs for the services GigConnect calls."""
        if service not in self._clients:
            endpoint = self._endpoint_for(service)
            make: Any = self._session.client
            client = make(service, endpoint_url=endpoint, config=_SERVICE_CONFIG.get(service, _CONFIG))
            if service == "dynamodb" and self._settings.dynamodb_direct_reads:
                from gigcore.adapters.dynamo_wire import attach

                attach(client, self._session.get_credentials(), traced=self._settings.tracing)
            self._clients[service] = client
        return self._clients[service]

    def _endpoint_for(self, service: str) -> str | None:
        if service in ("dynamodb", "dynamodbstreams"):
            return self._settings.dynamodb_endpoint
        if service == "apigatewaymanagementapi":
            return self._settings.ws_management_endpoint
        return self._settings.aws_endpoint


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def as_domain_error(exc: Exception, what: str) -> Exception:
    """A domain error for a boto error: throttling is retryable, anything else an outage."""
    if isinstance(exc, ClientError) and error_code(exc) in _THROTTLING:
        return RetryableError(f"{what} is throttling requests; try again shortly.")
    if isinstance(exc, ClientError | BotoCoreError):
        return UpstreamUnavailableError(f"{what} is unavailable.")
    return exc


_A = TypeVar("_A")


def or_none(call: Callable[[], _A], what: str, *, codes: Collection[str]) -> _A | None:
    """``call``'s answer, or None when the service refused it with one of the error ``codes``; any other
    failure as the domain's error (:func:`as_domain_error`)."""
    try:
        return call()
    except ClientError as exc:
        if error_code(exc) in codes:
            return None
        raise as_domain_error(exc, what) from exc
    except BotoCoreError as exc:
        raise as_domain_error(exc, what) from exc


def conditional(write: Callable[[], _A], what: str = "DynamoDB") -> _A | None:
    """The answer of a conditional write, or None when its condition did not hold; any other failure as the
    domain's error (:func:`as_domain_error`)."""
    return or_none(write, what, codes=("ConditionalCheckFailedException",))


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Inside: a botocore error leaves as the domain's error (:func:`as_domain_error`)."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise as_domain_error(exc, what) from exc


# ---- DynamoDB answers without botocore's parser ---------------------------------------------------------

#: Set while this thread runs a call inside :func:`unparsed_answers`: its answer body is then taken as JSON.
_raw_answer = threading.local()


def _take_raw_answer(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    """``before-parse`` hook: a successful call's JSON body becomes the answer, and botocore's parser gets an
    empty body (``{}``) instead of walking every attribute of every item. Botocore runs this hook in the
    thread that makes the call, so the thread-local flag marks exactly the calls made inside
    :func:`unparsed_answers`; every other call, and every error, is parsed as usual."""
    if not getattr(_raw_answer, "on", False) or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes | bytearray | str):
        return
    customized_response_dict.update(json.loads(body))
    response_dict["body"] = b"{}"


def raw_answers(client: Any, operation: str) -> None:
    """Let ``client`` hand over ``operation``'s answers unparsed inside :func:`unparsed_answers` (idempotent).

    The JSON answer is what botocore's parser would give for items of strings, numbers, booleans, lists and
    maps (DynamoDB's wire format is that JSON); binary attributes stay base64 text, so use it only where the
    items read hold none.
    """
    client.meta.events.register(f"before-parse.dynamodb.{operation}", _take_raw_answer,
                                unique_id=f"gigcore-raw-answer-{operation}")


def unparsed_read(client: Any, operation: str, params: dict[str, Any], *, direct: bool = True) -> dict[str, Any]:
    """``operation`` (one registered with :func:`raw_answers`), its answer unparsed: sent by the client's direct
    sender when it has one (:mod:`gigcore.adapters.dynamo_wire`) and that got a 200, else through botocore,
    whose errors are raised as always. ``direct=False``: the direct sender already failed this read, so only
    botocore sends it (a throttled table is not sent it a third time)."""
    from gigcore.adapters.dynamo_wire import sender_of

    sender = sender_of(client) if direct else None
    if sender is not None:
        answer = sender.send(operation, params)
        if answer is not None:
            return answer
    with unparsed_answers():
        parsed: dict[str, Any] = getattr(client, xform_name(operation))(**params)
    return parsed


@contextmanager
def unparsed_answers() -> Iterator[None]:
    """Inside: this thread's calls registered with :func:`raw_answers` skip botocore's parser."""
    _raw_answer.on = True
    try:
        yield
    finally:
        _raw_answer.on = False
