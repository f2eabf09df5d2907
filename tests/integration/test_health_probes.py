"""The AWS dependency probes of ``/health`` against DynamoDB Local and moto's SQS (issue 17: one AwsProbe serves
DynamoDB and SQS): a dependency that answers is ok, one that refuses is down, with its name and message."""

from __future__ import annotations

import pytest

from gigcore.adapters.probes import dynamo_probe, queue_probe
from gigcore.domain.errors import UpstreamUnavailableError
from gigcore.services.health import check_health


@pytest.fixture
def container(stack_env):
    from gigcore import bootstrap

    return bootstrap.container()


def test_the_stacks_table_and_queue_are_up(container):
    s = container.settings
    probes = [dynamo_probe(container.dynamodb, s.table_name),
              queue_probe(container.aws.client("sqs"), s.queue_name("notifications"))]
    assert check_health(probes) == {"dynamodb": "ok", "queue": "ok"}
    assert check_health(container.probes)["dynamodb"] == "ok"


def test_a_missing_table_or_queue_is_down_with_the_services_name(container):
    table = dynamo_probe(container.dynamodb, "gigconnect-no-such-table")
    queue = queue_probe(container.aws.client("sqs"), "gigconnect-no-such-queue")
    with pytest.raises(UpstreamUnavailableError, match=r"^DynamoDB is unavailable\.$"):
        table.ping()
    with pytest.raises(UpstreamUnavailableError, match=r"^SQS is unavailable\.$"):
        queue.ping()
    assert check_health([table, queue]) == {"dynamodb": "down", "queue": "down"}
