"""The direct DynamoDB reads' signature, held to botocore's own signer: DynamoDB Local does not check
signatures, so this is where a wrong one would show (gigcore.adapters.dynamo_wire)."""

from __future__ import annotations

import calendar
import datetime
import time

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from gigcore.adapters.dynamo_wire import Keys, Signer, host_of

BODY = (b'{"TableName":"gigconnect-main","KeyConditionExpression":"pk = :p",'
        b'"ExpressionAttributeValues":{":p":{"S":"x"}}}')


def botocore_headers(monkeypatch, endpoint: str, keys: Keys, target: str, at: time.struct_time) -> dict[str, str]:
    moment = datetime.datetime.fromtimestamp(calendar.timegm(at), datetime.UTC).replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment)
    request = botocore.awsrequest.AWSRequest("POST", endpoint + "/", data=BODY, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target})
    credentials = botocore.credentials.ReadOnlyCredentials(keys.access_key, keys.secret_key, keys.token)
    botocore.auth.SigV4Auth(credentials, "dynamodb", "eu-west-1").add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize("endpoint", ["https://dynamodb.eu-west-1.amazonaws.com",
                                      "https://dynamodb.eu-west-1.amazonaws.com:443", "http://127.0.0.1:8000",
                                      "http://[::1]:8000"])
@pytest.mark.parametrize("token", [None, "IQoJb3JpZ2luX2VjEXAMPLE/session+token=="])
def test_the_headers_are_the_ones_botocore_signs(monkeypatch, endpoint, token):
    keys = Keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    signer = Signer("eu-west-1", host_of(endpoint))
    for at in (time.gmtime(1_733_300_000), time.gmtime(1_733_399_999)):  # two days: the cached key is renewed
        ours = signer.headers(keys, "DynamoDB_20120810.Query", BODY, at)
        theirs = botocore_headers(monkeypatch, endpoint, keys, "DynamoDB_20120810.Query", at)
        assert ours == theirs
        assert ("X-Amz-Security-Token" in ours) == (token is not None)


def test_another_secret_signs_differently_on_the_same_day(monkeypatch):
    signer = Signer("eu-west-1", "dynamodb.eu-west-1.amazonaws.com")
    at = time.gmtime(1_733_300_000)
    first = signer.headers(Keys("AKID", "secret-one", None), "DynamoDB_20120810.Query", BODY, at)
    rotated = Keys("AKID", "secret-two", None)
    second = signer.headers(rotated, "DynamoDB_20120810.Query", BODY, at)
    assert first["Authorization"] != second["Authorization"]
    assert second == botocore_headers(monkeypatch, "https://dynamodb.eu-west-1.amazonaws.com", rotated,
                                      "DynamoDB_20120810.Query", at)


def test_the_host_carries_a_port_only_when_it_is_not_the_schemes():
    assert host_of("https://dynamodb.us-east-1.amazonaws.com") == "dynamodb.us-east-1.amazonaws.com"
    assert host_of("https://dynamodb.us-east-1.amazonaws.com:443") == "dynamodb.us-east-1.amazonaws.com"
    assert host_of("http://localhost:80") == "localhost"
    assert host_of("http://127.0.0.1:8000") == "127.0.0.1:8000"
    assert host_of("https://example.internal:8443") == "example.internal:8443"
    assert host_of("http://[::1]:8000") == "[::1]:8000"
    assert host_of("https://[2001:db8::1]") == "[2001:db8::1]"


def test_no_item_of_the_table_holds_a_binary_attribute():
    """The direct reads take DynamoDB's JSON as it comes, where a binary value would stay base64 text (botocore
    decodes it): no model declares one and no adapter writes one."""
    import re
    from pathlib import Path

    from pynamodb.attributes import BinaryAttribute, BinarySetAttribute

    import gigcore.adapters.dynamo_models as models

    declared = [f"{model.__name__}.{name}" for model in vars(models).values()
                if isinstance(model, type) and hasattr(model, "get_attributes")
                for name, attribute in model.get_attributes().items()
                if isinstance(attribute, BinaryAttribute | BinarySetAttribute)]
    assert declared == []
    adapters = Path(models.__file__).parent
    written = [str(path.relative_to(adapters)) for path in adapters.rglob("*.py")
               if re.search(r"""["'](B|BS)["']\s*:""", path.read_text())]
    assert written == []
