"""The adapter factory's table adapters (issue 17: one ``OnTable`` descriptor builds every adapter of the main
table instead of a property each). The class is named as a string there, so mypy does not see it: this test
builds each one, without a socket, and checks it against the type its attribute is declared with."""

from __future__ import annotations

import typing

import boto3
import pytest
from typing_extensions import get_protocol_members, is_protocol

from gigcore import ports
from gigcore.adapters import dynamo_contracts, dynamo_gigs
from gigcore.adapters.dynamo_geo import DynamoGeoLayouts
from gigcore.bootstrap import adapters as factory
from gigcore.bootstrap.adapters import Adapters, OnTable
from gigcore.ports import auth, chat, escrow, gigs, notifications, reviews
from gigcore.settings import Settings

TABLE_ADAPTERS = sorted(name for name, value in vars(Adapters).items() if isinstance(value, OnTable))


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Adapters:
    monkeypatch.setenv("GIGCONNECT_STAGE", "local")
    monkeypatch.setenv("GIGCONNECT_STACK_NAME", "gc-unit")
    adapters = Adapters(Settings())
    adapters.__dict__["dynamodb"] = boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                                                 aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
    adapters.__dict__["geo_layouts"] = DynamoGeoLayouts()
    return adapters


def declared_types() -> dict[str, type]:
    names: dict[str, object] = {}
    for module in (ports, auth, chat, escrow, gigs, notifications, reviews, dynamo_contracts, dynamo_gigs, factory):
        names.update(vars(module))
    hints = typing.get_type_hints(Adapters, localns=names)
    return {name: typing.get_args(hints[name])[0] for name in TABLE_ADAPTERS}


def test_the_main_tables_adapters_are_the_ones_the_factory_declares():
    assert "users" in TABLE_ADAPTERS and "rate_limiter" in TABLE_ADAPTERS and len(TABLE_ADAPTERS) == 15


@pytest.mark.parametrize("name", TABLE_ADAPTERS)
def test_each_table_adapter_is_built_once_on_the_table_as_its_declared_type(built: Adapters, name: str):
    descriptor = vars(Adapters)[name]
    declared = declared_types()[name]
    value = getattr(built, name)
    assert type(value).__name__ == descriptor.path.partition(":")[2]
    if is_protocol(declared):
        assert sorted(m for m in get_protocol_members(declared) if not hasattr(value, m)) == []
    else:
        assert isinstance(value, declared)
    assert getattr(built, name) is value  # once per instance
    held = list(vars(value).values())
    assert "gc-unit-main" in held or any(getattr(v, "_table", None) == "gc-unit-main" for v in held)
    for used in descriptor.uses:
        assert getattr(built, used) in held


def test_a_test_replaces_a_table_adapter_by_setting_it_on_the_instance(built: Adapters):
    stand_in = object()
    built.__dict__["chats"] = stand_in
    assert built.chats is stand_in
