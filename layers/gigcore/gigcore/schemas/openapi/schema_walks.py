"""Walks over the component schemas that pydantic made: which a root uses, answers left open to new fields,
descriptions as plain text, and the control-character pattern on every string a request sends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gigcore.schemas.common import CONTROL_FREE
from gigcore.schemas.openapi.routes import plain

_NESTED = ("properties", "additionalProperties", "items", "anyOf", "oneOf", "allOf", "prefixItems",
           "propertyNames")


def _children(node: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key in _NESTED:
        value = node.get(key)
        if isinstance(value, dict):
            out.extend(value.values() if key == "properties" else [value])
        elif isinstance(value, list):
            out.extend(value)
    return out


def _nodes(roots: list[Any]) -> Iterator[dict[str, Any]]:
    """Every schema node below ``roots`` (each once), not following ``$ref``; a node is yielded before its
    children are read, so a change the caller makes to it is walked too."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict) and id(node) not in seen:
            seen.add(id(node))
            yield node
            if not isinstance(node.get("$ref"), str):
                stack.extend(reversed(_children(node)))


def _reachable(schemas: dict[str, Any], roots: list[Any]) -> set[str]:
    """The names of the component schemas that ``roots`` use, directly or through others."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        target = node.get("$ref")
        if isinstance(target, str):
            name = target.rsplit("/", 1)[-1]
            if name not in seen and name in schemas:
                seen.add(name)
                stack.append(schemas[name])
            continue
        stack.extend(_children(node))
    return seen


def open_answers(schemas: dict[str, Any], response_roots: list[Any], request_roots: list[Any]) -> None:
    """No ``additionalProperties: false`` in what the server answers: a client generated today must accept the
    fields a later version adds. A schema that requests use too stays closed (the server refuses unknown
    fields); tests/unit/test_openapi_document.py checks that no answer is left with one."""
    requests = _reachable(schemas, request_roots)
    for node in _nodes([schemas[name] for name in _reachable(schemas, response_roots) - requests]):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]


def tidy(schemas: dict[str, Any]) -> None:
    """Descriptions as plain text, no per-property ``title`` (pydantic's "Owner Id": noise that some
    generators turn into type names), and no ``default: null`` where null is not allowed."""
    def walk(node: Any, in_properties: bool = False) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("description"), str):
            node["description"] = plain(node["description"])
        if in_properties:
            node.pop("title", None)
        if "default" in node and node["default"] is None and node.get("type") not in (None, "null"):
            del node["default"]  # a field that may be left out but not sent as null
        for key in _NESTED:
            value = node.get(key)
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    walk(prop, in_properties=True)
            elif isinstance(value, dict | list):
                walk(value, in_properties=key in {"items", "anyOf", "oneOf", "additionalProperties"})

    for name, schema in schemas.items():
        walk(schema)
        schema["title"] = name  # what generators name the type: one name, one type (MoneyBody is not Money)


def control_free(schemas: dict[str, Any], roots: list[Any]) -> None:
    """Every string of a request body refuses control characters (``RequestModel``); say so in its schema: a
    pattern where it has none, the two patterns together (``allOf``) where it has one."""
    for node in _nodes([roots, *(schemas[name] for name in sorted(_reachable(schemas, roots)))]):
        if node.get("type") == "string" and "enum" not in node and "const" not in node:
            if "pattern" not in node:
                node["pattern"] = CONTROL_FREE
            elif node["pattern"] != CONTROL_FREE:
                node["allOf"] = [*node.get("allOf", []), {"pattern": CONTROL_FREE}]
