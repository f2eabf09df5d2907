"""Creates the tables, queues (dead-letter queues first) and bucket of infra/resources.yaml locally.

The one source of truth is resources.yaml: nothing about a resource is written here. Idempotent: safe to
run on every start, against data kept from an earlier run.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.local.cfn import Resolver, load

SENDER = "noreply@gigconnect.local"
_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
               "BillingMode", "StreamSpecification")


def _client(service: str, endpoint: str, region: str) -> Any:
    return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                 region_name=region).client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def provision(stack_name: str, *, dynamodb_endpoint: str, aws_endpoint: str, bucket_name: str,
              region: str = "us-east-1") -> dict[str, str]:
    """Create what is missing; returns ``{logical id: physical name}``."""
    resources: dict[str, Any] = load()["Resources"]
    arns: dict[str, str] = {}
    resolver = Resolver(stack_name, region, arns)
    created: dict[str, str] = {}

    dynamodb = _client("dynamodb", dynamodb_endpoint, region)
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            created[logical_id] = _table(dynamodb, resolver.resolve(resource["Properties"]))

    sqs = _client("sqs", aws_endpoint, region)
    queues = {k: v for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"}
    # Dead-letter queues first: a redrive policy names its DLQ's ARN.
    ordered = sorted(queues, key=lambda k: "RedrivePolicy" in queues[k].get("Properties", {}))
    for logical_id in ordered:
        properties = resolver.resolve(queues[logical_id]["Properties"])
        name = properties["QueueName"]
        arns[logical_id] = _queue(sqs, properties)
        created[logical_id] = name

    s3 = _client("s3", aws_endpoint, region)
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::S3::Bucket":
            try:
                s3.create_bucket(Bucket=bucket_name)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
            created[logical_id] = bucket_name

    _client("ses", aws_endpoint, region).verify_email_identity(EmailAddress=SENDER)
    return created


def _table(dynamodb: Any, properties: dict[str, Any]) -> str:
    name = properties["TableName"]
    try:
        dynamodb.describe_table(TableName=name)
        return str(name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    spec = {k: properties[k] for k in _TABLE_KEYS if k in properties}
    if spec.get("StreamSpecification"):
        spec["StreamSpecification"] = {"StreamEnabled": True, **spec["StreamSpecification"]}
    dynamodb.create_table(TableName=name, **spec)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "AttributeName": ttl["AttributeName"], "Enabled": True})
    return str(name)


def _queue(sqs: Any, properties: dict[str, Any]) -> str:
    """Create (or update) one queue; returns its ARN as the local SQS knows it."""
    attributes: dict[str, str] = {}
    for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if key in properties:
            attributes[key] = str(properties[key])
    if "RedrivePolicy" in properties:
        policy = properties["RedrivePolicy"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": policy["deadLetterTargetArn"],
                                                  "maxReceiveCount": str(policy["maxReceiveCount"])})
    answer = sqs.create_queue(QueueName=properties["QueueName"])
    if attributes:
        sqs.set_queue_attributes(QueueUrl=answer["QueueUrl"], Attributes=attributes)
    found = sqs.get_queue_attributes(QueueUrl=answer["QueueUrl"], AttributeNames=["QueueArn"])
    return str(found["Attributes"]["QueueArn"])
