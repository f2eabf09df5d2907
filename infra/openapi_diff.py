"""What in a new OpenAPI document breaks a client built from an older one (``python -m infra.openapi --check``).

A client generated from the released document (docs/openapi.released.json) must keep working against the new
one. So, from the old document to the new:

- a path or an operation removed, or its operationId renamed (the generated method disappears);
- a response field removed, made nullable or optional where it was required, or its type changed or widened
  (the client reads a field that is no longer there, or is not what it was);
- a request field removed (a client still sends it: refused as unknown), its type narrowed, a bound tightened,
  an enum value removed, or a new required input (field, query parameter or header), or a body now required;
- a success status removed.

Additive changes pass: a new path, operation, optional input, response field or enum value in a request; an
enum value removed from a response (the client knows every value that remains). An enum value added to a
response is reported too (a generated client's enum refuses a value it does not know), as breaking.
"""

from __future__ import annotations

from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


class _Doc:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 50:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target if len(node) == 1 else {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            seen += 1
        return node


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every change from ``old`` to ``new`` that breaks a client of ``old``, each as one line."""
    before, after = _Doc(old), _Doc(new)
    problems: list[str] = []
    for path, old_item in old.get("paths", {}).items():
        new_item = new.get("paths", {}).get(path)
        if new_item is None:
            problems.append(f"{path}: path removed")
            continue
        for method in _METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            if method not in new_item:
                problems.append(f"{where}: operation removed")
                continue
            problems += _operation(where, before.resolve(old_item[method]), after.resolve(new_item[method]),
                                   before, after)
    return problems


def _operation(where: str, old: dict[str, Any], new: dict[str, Any], before: _Doc, after: _Doc) -> list[str]:
    problems: list[str] = []
    if old.get("operationId") != new.get("operationId"):
        problems.append(f"{where}: operationId {old.get('operationId')!r} became {new.get('operationId')!r}")
    old_params = {(p["in"], p["name"]): p for p in map(before.resolve, old.get("parameters", []))}
    new_params = {(p["in"], p["name"]): p for p in map(after.resolve, new.get("parameters", []))}
    for key, param in new_params.items():
        label = f"{where}: {key[0]} parameter {key[1]!r}"
        if key not in old_params:
            if param.get("required"):
                problems.append(f"{label}: new and required")
            continue
        if param.get("required") and not old_params[key].get("required"):
            problems.append(f"{label}: now required")
        problems += _request_schema(label, old_params[key].get("schema", {}), param.get("schema", {}),
                                    before, after)
    old_body, new_body = old.get("requestBody"), new.get("requestBody")
    if new_body is not None:
        new_body = after.resolve(new_body)
        if old_body is None:
            if new_body.get("required"):
                problems.append(f"{where}: request body: new and required")
        else:
            old_body = before.resolve(old_body)
            if new_body.get("required") and not old_body.get("required"):
                problems.append(f"{where}: request body: now required")
            for media, content in old_body.get("content", {}).items():
                if media not in new_body.get("content", {}):
                    problems.append(f"{where}: request body: {media} no longer accepted")
                    continue
                problems += _request_schema(f"{where}: request body", content.get("schema", {}),
                                            new_body["content"][media].get("schema", {}), before, after)
    old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
    for status, old_response in old_responses.items():
        if not str(status).startswith("2"):
            continue
        if status not in new_responses:
            problems.append(f"{where}: response {status} removed")
            continue
        old_content = before.resolve(old_response).get("content", {})
        new_content = after.resolve(new_responses[status]).get("content", {})
        for media, content in old_content.items():
            if media not in new_content:
                problems.append(f"{where}: response {status}: {media} no longer answered")
                continue
            problems += _response_schema(f"{where}: response {status}", content.get("schema", {}),
                                         new_content[media].get("schema", {}), before, after)
    return problems


# ---- schemas ---------------------------------------------------------------------------------------------


def _types(schema: dict[str, Any], doc: _Doc) -> set[str]:
    """The JSON types a schema allows (``anyOf``/``oneOf`` branches together); empty when it says none."""
    kinds: set[str] = set()
    kind = schema.get("type")
    if isinstance(kind, str):
        kinds.add(kind)
    elif isinstance(kind, list):
        kinds |= set(kind)
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            kinds |= _types(doc.resolve(branch), doc)
    if "integer" in kinds and "number" in kinds:
        kinds.discard("integer")
    return kinds


def _enum(schema: dict[str, Any], doc: _Doc) -> set[Any] | None:
    if "enum" in schema:
        return set(map(_hashable, schema["enum"]))
    if "const" in schema:
        return {_hashable(schema["const"])}
    branches = [doc.resolve(b) for key in ("anyOf", "oneOf") for b in schema.get(key, [])]
    if branches:
        values: set[Any] = set()
        for branch in branches:
            if branch.get("type") == "null":
                values.add(None)
                continue
            inner = _enum(branch, doc)
            if inner is None:
                return None
            values |= inner
        return values
    return None


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, dict | list) else value


def _object_parts(schema: dict[str, Any], doc: _Doc) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names, with those of ``allOf`` parts and of a single non-null branch."""
    properties = dict(schema.get("properties", {}))
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        inner_props, inner_required = _object_parts(doc.resolve(part), doc)
        properties |= inner_props
        required |= inner_required
    branches = [doc.resolve(b) for key in ("anyOf", "oneOf") for b in schema.get(key, [])]
    objects = [b for b in branches if b.get("type") != "null"]
    if len(objects) == 1:
        inner_props, inner_required = _object_parts(objects[0], doc)
        properties |= inner_props
        required |= inner_required
    return properties, required


def _items(schema: dict[str, Any], doc: _Doc) -> dict[str, Any] | None:
    if "items" in schema:
        return dict(doc.resolve(schema["items"]))
    objects = [doc.resolve(b) for key in ("anyOf", "oneOf") for b in schema.get(key, [])
               if doc.resolve(b).get("type") == "array"]
    return dict(objects[0]["items"]) if len(objects) == 1 and "items" in objects[0] else None


def _request_schema(where: str, old: Any, new: Any, before: _Doc, after: _Doc, depth: int = 0) -> list[str]:
    """What the server accepts may only grow: no type, value or field it took before may be refused now."""
    old, new = before.resolve(old), after.resolve(new)
    if depth > 20 or not isinstance(old, dict) or not isinstance(new, dict):
        return []
    problems: list[str] = []
    old_types, new_types = _types(old, before), _types(new, after)
    widened_number = old_types == {"integer"} and "number" in new_types
    if old_types and new_types and not old_types <= new_types and not widened_number:
        problems.append(f"{where}: type narrowed from {sorted(old_types)} to {sorted(new_types)}")
    old_enum, new_enum = _enum(old, before), _enum(new, after)
    if new_enum is not None:
        if old_enum is None:
            problems.append(f"{where}: now limited to {sorted(map(str, new_enum))}")
        elif old_enum - new_enum:
            problems.append(f"{where}: enum values removed {sorted(map(str, old_enum - new_enum))}")
    for bound in _LOWER_BOUNDS:
        if bound in new and (bound not in old or new[bound] > old[bound]):
            problems.append(f"{where}: {bound} raised to {new[bound]}")
    for bound in _UPPER_BOUNDS:
        if bound in new and (bound not in old or new[bound] < old[bound]):
            problems.append(f"{where}: {bound} lowered to {new[bound]}")
    if new.get("pattern") is not None and new.get("pattern") != old.get("pattern"):
        problems.append(f"{where}: pattern changed to {new['pattern']!r}")
    old_props, old_required = _object_parts(old, before)
    new_props, new_required = _object_parts(new, after)
    for name in sorted(new_required - old_required):
        problems.append(f"{where}: field {name!r} is now required")
    closed = new.get("additionalProperties") is False
    for name, prop in old_props.items():
        if name not in new_props:
            if closed or old.get("additionalProperties") is False:
                problems.append(f"{where}: field {name!r} removed (a client still sending it is refused)")
            continue
        problems += _request_schema(f"{where}.{name}", prop, new_props[name], before, after, depth + 1)
    old_items, new_items = _items(old, before), _items(new, after)
    if old_items is not None and new_items is not None:
        problems += _request_schema(f"{where}[]", old_items, new_items, before, after, depth + 1)
    return problems


def _response_schema(where: str, old: Any, new: Any, before: _Doc, after: _Doc, depth: int = 0) -> list[str]:
    """What a client reads may only grow in fields: every field it read is still there, of the same type, and
    never a value it does not know."""
    old, new = before.resolve(old), after.resolve(new)
    if depth > 20 or not isinstance(old, dict) or not isinstance(new, dict):
        return []
    problems: list[str] = []
    old_types, new_types = _types(old, before), _types(new, after)
    narrowed_number = new_types == {"integer"} and "number" in old_types
    if old_types and new_types and not new_types <= old_types and not narrowed_number:
        problems.append(f"{where}: type changed from {sorted(old_types)} to {sorted(new_types)}")
    old_enum, new_enum = _enum(old, before), _enum(new, after)
    if old_enum is not None:
        if new_enum is None:
            problems.append(f"{where}: no longer limited to {sorted(map(str, old_enum))}")
        elif new_enum - old_enum:
            problems.append(f"{where}: new values {sorted(map(str, new_enum - old_enum))} that clients do not know")
    old_props, old_required = _object_parts(old, before)
    new_props, new_required = _object_parts(new, after)
    for name in sorted(old_props):
        if name not in new_props:
            problems.append(f"{where}: field {name!r} removed")
            continue
        if name in old_required and name not in new_required:
            problems.append(f"{where}: field {name!r} is no longer always answered")
        problems += _response_schema(f"{where}.{name}", old_props[name], new_props[name], before, after, depth + 1)
    old_items, new_items = _items(old, before), _items(new, after)
    if old_items is not None and new_items is not None:
        problems += _response_schema(f"{where}[]", old_items, new_items, before, after, depth + 1)
    return problems
