"""The two implementations every port contract suite runs against: the in-memory fakes (tests/fake_unit_of_work.py)
and the DynamoDB adapters on DynamoDB Local (the ``stack_env`` table). A suite imports :func:`backend` and asserts
only what both must do, reading back through the ports (the fake's state is not DynamoDB's items)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from gigcore.ports.escrow import PayoutAccountStore
from gigcore.ports.unit_of_work import UnitOfWorkFactory

T = TypeVar("T")


@dataclass
class Backend:
    name: str
    units: UnitOfWorkFactory
    payout_accounts: PayoutAccountStore
    #: Whether an outbox event with this id was written.
    has_event: Callable[[str], bool]
    #: True where reads of an index may lag a write (DynamoDB's GSIs): a suite polls.
    eventually: bool

    def settled(self, read: Callable[[], T], done: Callable[[T], bool], *, seconds: float = 5.0) -> T:
        """``read()`` once it is ``done`` (polled while an index may lag), or its last answer."""
        answer = read()
        deadline = time.monotonic() + seconds
        while self.eventually and not done(answer) and time.monotonic() < deadline:
            time.sleep(0.05)
            answer = read()
        return answer


@pytest.fixture(params=["fake", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "fake":
        from tests.fake_unit_of_work import FakePayoutAccounts, FakeUnitOfWorkFactory, World

        world = World()
        return Backend("fake", FakeUnitOfWorkFactory(world), FakePayoutAccounts(world),
                       lambda event_id: any(e.id == event_id for e in world.outbox), eventually=False)
    request.getfixturevalue("stack_env")
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_escrow import DynamoPayoutAccountStore

    container = bootstrap.container()
    client: Any = container.dynamodb
    table = container.settings.table_name

    def has_event(event_id: str) -> bool:
        return "Item" in client.get_item(TableName=table, ConsistentRead=True,
                                         Key={"pk": {"S": f"EVENT#{event_id}"}, "sk": {"S": "EVENT"}})

    return Backend("dynamodb", container.unit_of_work, DynamoPayoutAccountStore(client, table), has_event,
                   eventually=True)
