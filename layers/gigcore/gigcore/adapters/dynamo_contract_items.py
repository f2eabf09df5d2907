"""The stored items of applications, contracts and milestones (docs/data-model.md, patterns P1-P9), and the
transaction entries that write them: domain objects in, DynamoDB's attribute maps out, and back."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from gigcore.adapters.dynamo_table import number, optional_text, optional_time, text
from gigcore.domain.applications import Application
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.contracts import MILESTONE_MUTABLE_FIELDS, Contract, Milestone
from gigcore.domain.errors import ConflictError, ErrorDetail, InvalidStateError, NotFoundError
from gigcore.domain.money import Money

ABSENT = "attribute_not_exists(pk)"
MILESTONE_PREFIX = "CONTRACT#MILESTONE#"
#: gsi2 of a submitted milestone: the auto-release schedule's queue, ordered by when each is due (P9).
RELEASE_DUE_PK = "RELEASE_DUE"


# ---- applications ----------------------------------------------------------------------------------------


def application_key(gig_id: str, freelancer_id: str) -> dict[str, Any]:
    return {"pk": text(f"GIG#{gig_id}"), "sk": text(f"APP#{freelancer_id}")}


def application_item(app: Application, version: int) -> dict[str, Any]:
    sort = f"APP#{to_rfc3339(app.created_at)}#{app.id}"
    item = application_key(app.gig_id, app.freelancer_id) | {
        "kind": text("application"), "id": text(app.id), "gig_id": text(app.gig_id),
        "client_id": text(app.client_id), "freelancer_id": text(app.freelancer_id),
        "cover_letter": text(app.cover_letter), "rate_amount": number(app.proposed_rate.amount),
        "currency": text(app.proposed_rate.currency), "estimated_days": number(app.estimated_days),
        "status": text(app.status), "created_at": text(to_rfc3339(app.created_at)),
        "updated_at": text(to_rfc3339(app.updated_at)), "version": number(version),
        "gsi1pk": text(f"FREELANCER#{app.freelancer_id}"), "gsi1sk": text(sort),
        "gsi2pk": text(f"GIGAPPS#{app.gig_id}"), "gsi2sk": text(sort),
    }
    if app.contract_id:
        item["contract_id"] = text(app.contract_id)
    return item


def application_link_item(app: Application) -> dict[str, Any]:
    """``APPLICATION#<id>``: where the application of an id is (its gig and freelancer)."""
    return {"pk": text(f"APPLICATION#{app.id}"), "sk": text("APPLICATION"), "kind": text("application_link"),
            "gig_id": text(app.gig_id), "freelancer_id": text(app.freelancer_id)}


def application_from(item: Mapping[str, Any]) -> Application:
    return Application(
        id=item["id"]["S"], gig_id=item["gig_id"]["S"], client_id=item["client_id"]["S"],
        freelancer_id=item["freelancer_id"]["S"], cover_letter=item["cover_letter"]["S"],
        proposed_rate=Money(amount=int(item["rate_amount"]["N"]), currency=item["currency"]["S"]),
        estimated_days=int(item["estimated_days"]["N"]), status=item["status"]["S"],
        created_at=parse_rfc3339(item["created_at"]["S"]), updated_at=parse_rfc3339(item["updated_at"]["S"]),
        contract_id=optional_text(item, "contract_id"), version=int(item["version"]["N"]),
    )


def status_condition(expected: Collection[str], version: int | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The item exists, its status is one of ``expected`` and (when given) its version is ``version``."""
    if not expected:
        raise ValueError("a transition expects at least one status")
    names = {"#status": "status"}
    values = {f":expected{i}": text(status) for i, status in enumerate(sorted(expected))}
    condition = f"attribute_exists(pk) AND #status IN ({', '.join(values)})"
    if version is not None:
        names["#version"] = "version"
        values[":version"] = number(version)
        condition += " AND #version = :version"
    return condition, names, values


def application_adds(app: Application, table: str) -> list[dict[str, Any]]:
    """The application (version 1) and its link, each only if absent (one application per gig and freelancer)."""
    return [{"Put": {"TableName": table, "Item": application_item(app, 1), "ConditionExpression": ABSENT}},
            {"Put": {"TableName": table, "Item": application_link_item(app), "ConditionExpression": ABSENT}}]


def application_save(app: Application, expected: Collection[str], table: str) -> dict[str, Any]:
    condition, names, values = status_condition(expected, app.version)
    return {"Put": {"TableName": table, "Item": application_item(app, app.version + 1),
                    "ConditionExpression": condition, "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def moved_error(what: str, old: Mapping[str, Any] | None, expected: Collection[str]) -> Exception:
    """Why a conditioned write of one item failed, from the item as it was stored."""
    if not old:
        return NotFoundError(f"The {what} does not exist.")
    status = str(old.get("status", {}).get("S", ""))
    if status not in expected:
        return InvalidStateError(f"The {what} is {status.replace('_', ' ')}; that cannot be done now.",
                                 details=[ErrorDetail(field="status", issue=status)])
    return ConflictError(f"The {what} was changed by another request; try again.")


def already_applied() -> ConflictError:
    return ConflictError("You have already applied to this gig.",
                         details=[ErrorDetail(field="gig_id", issue="already applied")])


# ---- contracts and milestones ----------------------------------------------------------------------------


def contract_pk(contract_id: str) -> str:
    return f"CONTRACT#{contract_id}"


def contract_key(contract_id: str) -> dict[str, Any]:
    return {"pk": text(contract_pk(contract_id)), "sk": text("CONTRACT")}


def milestone_key(contract_id: str, milestone_id: str) -> dict[str, Any]:
    return {"pk": text(contract_pk(contract_id)), "sk": text(MILESTONE_PREFIX + milestone_id)}


def contract_item(contract: Contract) -> dict[str, Any]:
    return contract_key(contract.id) | {
        "kind": text("contract"), "id": text(contract.id),
        "gig_id": text(contract.gig_id), "application_id": text(contract.application_id),
        "client_id": text(contract.client_id), "freelancer_id": text(contract.freelancer_id),
        "currency": text(contract.currency), "status": text(contract.status),
        "created_at": text(to_rfc3339(contract.created_at)), "updated_at": text(to_rfc3339(contract.updated_at)),
        "version": number(1),
    }


def _encode(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, Money):
        return number(value.amount)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, datetime):
        return text(to_rfc3339(value))
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list | tuple):
        return {"L": [_encode(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__}")


def milestone_item(m: Milestone) -> dict[str, Any]:
    item: dict[str, Any] = milestone_key(m.contract_id, m.id) | {
        "kind": text("milestone"), "id": text(m.id), "contract_id": text(m.contract_id),
        "position": number(m.position), "title": text(m.title), "amount": number(m.amount.amount),
        "currency": text(m.amount.currency), "version": number(max(m.version, 1)),
    }
    for name in sorted(MILESTONE_MUTABLE_FIELDS):
        value = getattr(m, name)
        if value is not None and value != ():
            item[name] = _encode(value)
    return item


def milestone_from(item: Mapping[str, Any]) -> Milestone:
    currency = item["currency"]["S"]
    return Milestone(
        id=item["id"]["S"], contract_id=item["contract_id"]["S"], position=int(item["position"]["N"]),
        title=item["title"]["S"], amount=Money(amount=int(item["amount"]["N"]), currency=currency),
        status=item["status"]["S"],
        refunded_amount=Money(amount=int(item.get("refunded_amount", {"N": "0"})["N"]), currency=currency),
        funded_at=optional_time(item, "funded_at"), submitted_at=optional_time(item, "submitted_at"),
        auto_release_at=optional_time(item, "auto_release_at"), released_at=optional_time(item, "released_at"),
        payment_intent_id=optional_text(item, "payment_intent_id"), charge_id=optional_text(item, "charge_id"),
        transfer_id=optional_text(item, "transfer_id"), submission_note=optional_text(item, "submission_note"),
        attachment_keys=tuple(v["S"] for v in item.get("attachment_keys", {"L": []})["L"]),
        dispute_id=optional_text(item, "dispute_id"), pending_op=optional_text(item, "pending_op"),
        version=int(item["version"]["N"]),
    )


def contract_from(item: Mapping[str, Any], milestones: Sequence[Milestone]) -> Contract:
    return Contract(
        id=item["id"]["S"], gig_id=item["gig_id"]["S"], application_id=item["application_id"]["S"],
        client_id=item["client_id"]["S"], freelancer_id=item["freelancer_id"]["S"], currency=item["currency"]["S"],
        status=item["status"]["S"], created_at=parse_rfc3339(item["created_at"]["S"]),
        updated_at=parse_rfc3339(item["updated_at"]["S"]),
        milestones=tuple(sorted(milestones, key=lambda m: m.position)),
    )


def contract_adds(contract: Contract, table: str) -> list[dict[str, Any]]:
    """The contract, its milestones (each only if absent) and both parties' links."""
    items = [{"Put": {"TableName": table, "Item": contract_item(contract), "ConditionExpression": ABSENT}}]
    items += [{"Put": {"TableName": table, "Item": milestone_item(m), "ConditionExpression": ABSENT}}
              for m in contract.milestones]
    for user_id, role in ((contract.client_id, "client"), (contract.freelancer_id, "freelancer")):
        items.append({"Put": {"TableName": table, "Item": {
            "pk": text(f"USER#{user_id}"), "sk": text(f"CONTRACT#{contract.id}"), "kind": text("contract_party"),
            "contract_id": text(contract.id), "role": text(role)}}})
    return items


def _update(key: dict[str, Any], fields: Mapping[str, Any], expected: Collection[str], version: int | None,
            table: str) -> dict[str, Any]:
    """An ``Update`` that bumps the version, sets each of ``fields`` (None or empty: removes it), conditioned on
    the status (and the version when given)."""
    condition, names, values = status_condition(expected, version)
    names["#version"] = "version"
    values[":one"] = number(1)
    sets, removes = ["#version = #version + :one"], []
    for i, (name, value) in enumerate(sorted(fields.items())):
        names[f"#f{i}"] = name
        if value is None or value == ():
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = _encode(value)
            sets.append(f"#f{i} = :v{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {"Update": {"TableName": table, "Key": key, "UpdateExpression": expression,
                       "ConditionExpression": condition, "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": values, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def milestone_save(m: Milestone, expected: Collection[str], table: str) -> dict[str, Any]:
    """Every changeable field of ``m`` written (the item ends as ``m`` at version + 1), on its version; the
    due-for-release keys (gsi2) follow ``auto_release_at``: set with it, removed without it."""
    fields: dict[str, Any] = {name: getattr(m, name) for name in MILESTONE_MUTABLE_FIELDS}
    if m.auto_release_at is None:
        fields |= {"gsi2pk": None, "gsi2sk": None}
    else:
        fields |= {"gsi2pk": RELEASE_DUE_PK, "gsi2sk": f"{to_rfc3339(m.auto_release_at)}#{m.contract_id}#{m.id}"}
    return _update(milestone_key(m.contract_id, m.id), fields, expected, m.version, table)


def milestone_check(m: Milestone, table: str) -> dict[str, Any]:
    return {"ConditionCheck": {
        "TableName": table, "Key": milestone_key(m.contract_id, m.id),
        "ConditionExpression": "#version = :version", "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":version": number(m.version)}}}


def contract_save(contract: Contract, expected: Collection[str], table: str) -> dict[str, Any]:
    return _update(contract_key(contract.id), {"status": contract.status, "updated_at": contract.updated_at},
                   expected, None, table)
