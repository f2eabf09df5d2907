"""The IAM check's evaluator denies what a role does not allow (issue 18 item 6): a unit test of infra/iam_calls
with recorded calls written by hand, against the translated template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.iam_calls import accesses, evaluate
from infra.sam import translated_template

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = json.loads((REPO / "chalicefile.json").read_text())["functions"]
PARAMETERS = {"MailFrom": "noreply@gigconnect.example", "SesIdentity": "gigconnect.example"}


@pytest.fixture(scope="module")
def cfn() -> dict:
    return translated_template()


def call(function: str, service: str, operation: str, **params: object) -> dict:
    return {"function": function, "service": service, "operation": operation, "params": params,
            "presigned": False, "stack": "gigconnect-dev", "bucket": "gigconnect-dev-attachments"}


def test_allowed_calls_pass_and_each_kind_of_excess_is_denied(cfn):
    allowed = [
        call("api_handler", "dynamodb", "Query", TableName="gigconnect-dev-main", IndexName="gsi1"),
        call("api_handler", "dynamodb", "TransactWriteItems",
             TransactItems=[{"Put": {"TableName": "gigconnect-dev-main"}}, {"ConditionCheck": {
                 "TableName": "gigconnect-dev-main"}}]),
        call("ws_message", "s3", "HeadObject", Bucket="gigconnect-dev-attachments", Key="c/1/a.png"),
        call("sms_consumer", "sns", "Publish", PhoneNumber="+15550100"),
        call("email_consumer", "ses", "SendEmail", Source="noreply@gigconnect.example"),
    ]
    report = evaluate(allowed, cfn, FUNCTIONS, PARAMETERS)
    assert not report.denied, report.text()
    denied = [
        call("api_handler", "ses", "SendEmail", Source="noreply@gigconnect.example"),  # not the API's job
        call("email_consumer", "ses", "SendEmail", Source="ceo@gigconnect.example"),  # another sender
        call("ws_message", "sqs", "SendMessage", QueueUrl="https://sqs/1/gigconnect-dev-payments"),
        call("api_handler", "dynamodb", "GetItem", TableName="another-table"),
    ]
    report = evaluate(allowed + denied, cfn, FUNCTIONS, PARAMETERS)
    assert [(a.function, a.action) for a in report.denied] == [
        ("api_handler", "dynamodb:GetItem"), ("api_handler", "ses:SendEmail"), ("email_consumer", "ses:SendEmail"),
        ("ws_message", "sqs:SendMessage")]


def test_the_cloud_only_calls_are_checked_too(cfn):
    report = evaluate([], cfn, FUNCTIONS, PARAMETERS)
    assert not report.denied, report.text()
    actions = {(a.function, a.action) for a in report.allowed}
    assert ("outbox_router", "dynamodb:GetRecords") in actions  # the stream mapping reads with the role
    assert ("outbox_router", "sqs:SendMessage") in actions  # its on-failure destination
    assert ("sms_consumer", "sqs:ReceiveMessage") in actions
    assert ("ws_connect", "secretsmanager:GetSecretValue") in actions  # every cold start


def test_a_head_object_needs_list_bucket_for_its_404():
    found = accesses(call("ws_message", "s3", "HeadObject", Bucket="b", Key="k"))
    assert [(a.action, a.resource) for a in found] == [("s3:GetObject", "arn:aws:s3:::b/k"),
                                                       ("s3:ListBucket", "arn:aws:s3:::b")]
