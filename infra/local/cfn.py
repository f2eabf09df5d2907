"""Reading infra/resources.yaml (CloudFormation YAML) for the local stack.

A SafeLoader that keeps intrinsic functions (``!Sub``, ``!GetAtt``, ``!Ref``...) as :class:`Intrinsic`
values, and a resolver for the few the local stack needs: ``${AWS::StackName}``, ``${AWS::AccountId}``
and ``${AWS::Region}`` in ``!Sub``, and ``!GetAtt <Queue>.Arn``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "infra" / "resources.yaml"
LOCAL_ACCOUNT = "000000000000"
_TAGS = ("Ref", "Sub", "GetAtt", "If", "Join", "Select", "Split", "Equals", "Not", "And", "Or",
         "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Condition")


@dataclass(frozen=True)
class Intrinsic:
    name: str
    value: Any


class CfnLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation's short-form tags."""


def _construct(tag: str) -> Any:
    def build(loader: yaml.SafeLoader, node: yaml.Node) -> Intrinsic:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return Intrinsic(tag, value)

    return build


for _tag in _TAGS:
    CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load(path: Path = RESOURCES) -> dict[str, Any]:
    with path.open() as handle:
        document = yaml.load(handle, Loader=CfnLoader)  # noqa: S506 (SafeLoader subclass)
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a CloudFormation document")
    return document


class Resolver:
    """Resolves the intrinsics that local resources use, for one stack name."""

    def __init__(self, stack_name: str, region: str, arns: dict[str, str] | None = None) -> None:
        self.pseudo = {"AWS::StackName": stack_name, "AWS::AccountId": LOCAL_ACCOUNT, "AWS::Region": region,
                       "AWS::Partition": "aws"}
        self.arns = arns if arns is not None else {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Intrinsic):
            if value.name == "Sub" and isinstance(value.value, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), value.value)
            if value.name == "GetAtt" and value.value[1] == "Arn" and value.value[0] in self.arns:
                return self.arns[value.value[0]]
            if value.name == "Ref" and value.value in self.pseudo:
                return self.pseudo[value.value]
            raise ValueError(f"the local stack cannot resolve !{value.name} {value.value!r}")
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        raise ValueError(f"the local stack cannot substitute ${{{name}}}")

    def substitute(self, text: str) -> str:
        """``${AWS::StackName}``-style substitution in a plain string (queue names in app.py)."""
        return re.sub(r"\$\{(AWS::[A-Za-z]+)\}", lambda m: self._sub(m.group(1)), text)
