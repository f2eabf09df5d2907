"""Move the messages of a dead-letter queue back to their queue, after the cause was fixed.

    python -m gigcore.cli.redrive notifications [--max 1000]

Each message is sent to the source queue before it is deleted from the DLQ, so a crash mid-way can only
duplicate a message (consumers are idempotent), never lose one.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from gigcore import bootstrap
from gigcore.cli import use_local_stack
from gigcore.settings import QUEUE_KEYS

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient


def redrive(queue_key: str, *, limit: int = 1000, sqs: SQSClient | None = None) -> int:
    """Move up to ``limit`` messages from ``queue_key``'s DLQ back to it; returns how many moved."""
    settings = bootstrap.settings()
    client: SQSClient = sqs or bootstrap.container().aws.client("sqs")
    source = client.get_queue_url(QueueName=settings.queue_name(queue_key))["QueueUrl"]
    dead = client.get_queue_url(QueueName=settings.dead_letter_queue_name(queue_key))["QueueUrl"]
    moved = 0
    while moved < limit:
        batch = client.receive_message(QueueUrl=dead, MaxNumberOfMessages=min(10, limit - moved), WaitTimeSeconds=0,
                                       MessageAttributeNames=["All"], VisibilityTimeout=60).get("Messages", [])
        if not batch:
            break
        for message in batch:
            client.send_message(QueueUrl=source, MessageBody=message["Body"],
                                MessageAttributes=message.get("MessageAttributes", {}))
            client.delete_message(QueueUrl=dead, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queue", choices=QUEUE_KEYS)
    parser.add_argument("--max", type=int, default=1000)
    args = parser.parse_args()
    use_local_stack()
    moved = redrive(args.queue, limit=args.max)
    print(f"moved {moved} message(s) from {args.queue}'s dead-letter queue back to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
