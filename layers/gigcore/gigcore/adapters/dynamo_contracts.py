"""DynamoDB adapters of the application and contract ports (docs/data-model.md, patterns P1-P8).

Low-level client calls, so that every write is one ``TransactWriteItems`` that a caller can extend with its
own entries (``extra``) and outbox events. The repository's own entries come first in the transaction; a
cancellation reason at index ``i`` past them is reported as ``extra[i - own]``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from gigcore.adapters.aws import as_domain_error
from gigcore.adapters.dynamo_outbox import MAX_TRANSACTION_ITEMS, event_item
from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.contracts import (
    CONTRACT_MUTABLE_FIELDS,
    MILESTONE_MUTABLE_FIELDS,
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
)
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    InvalidStateError,
    NotFoundError,
    RetryableError,
    TransactionConflictError,
    ValidationError,
)
from gigcore.domain.money import Money
from gigcore.ports import OutboxEvent, TransactItem
from gigcore.ports.contracts import ApplicationPage, ContractPage

#: Shared by every request of the process: a contracts page reads its contracts in parallel.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="gigconnect-contracts")
_THROTTLED_REASONS = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _opt_s(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value["S"])


def _opt_time(item: Mapping[str, Any], name: str) -> datetime | None:
    text = _opt_s(item, name)
    return parse_rfc3339(text) if text else None


class _Cancelled(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons

    def code(self, index: int) -> str:
        return str(self.reasons[index].get("Code", "")) if index < len(self.reasons) else ""

    def failed_at(self, start: int) -> tuple[int, ...]:
        return tuple(i - start for i, r in enumerate(self.reasons)
                     if i >= start and r.get("Code") == "ConditionalCheckFailed")


class DynamoTable:
    """The calls every repository here makes: reads, and one transaction of own + extra items + events."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(TableName=self._table, **kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc, "DynamoDB") from exc

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._call("get_item", Key={"pk": _s(pk), "sk": _s(sk)},
                                                 ConsistentRead=True).get("Item")
        return item

    def _entry(self, entry: TransactItem) -> dict[str, Any]:
        (operation, body), = entry.items()
        return {operation: {"TableName": self._table} | dict(body)}

    def _transact(self, own: Sequence[TransactItem], extra: Sequence[TransactItem],
                  events: Sequence[OutboxEvent]) -> None:
        items = [self._entry(e) for e in (*own, *extra)] + [event_item(e, self._table) for e in events]
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValidationError(f"A transaction holds at most {MAX_TRANSACTION_ITEMS} items.")
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons: list[dict[str, Any]] = [dict(r) for r in exc.response.get("CancellationReasons") or []]
            if not reasons:
                raise as_domain_error(exc, "DynamoDB") from exc
            if any(r.get("Code") in _THROTTLED_REASONS for r in reasons):
                raise RetryableError("DynamoDB is throttling requests; try again shortly.") from exc
            raise _Cancelled(reasons) from exc
        except BotoCoreError as exc:
            raise as_domain_error(exc, "DynamoDB") from exc

    @staticmethod
    def _extra_error(cancelled: _Cancelled, own: int) -> TransactionConflictError:
        return TransactionConflictError("The change conflicts with a concurrent one; try again.",
                                        failed=cancelled.failed_at(own))


# ---- applications ----------------------------------------------------------------------------------------


def application_key(gig_id: str, freelancer_id: str) -> dict[str, Any]:
    return {"pk": _s(f"GIG#{gig_id}"), "sk": _s(f"APP#{freelancer_id}")}


def application_item(app: Application, version: int) -> dict[str, Any]:
    sort = f"APP#{to_rfc3339(app.created_at)}#{app.id}"
    item = application_key(app.gig_id, app.freelancer_id) | {
        "kind": _s("application"), "id": _s(app.id), "gig_id": _s(app.gig_id), "client_id": _s(app.client_id),
        "freelancer_id": _s(app.freelancer_id), "cover_letter": _s(app.cover_letter),
        "rate_amount": _n(app.proposed_rate.amount), "currency": _s(app.proposed_rate.currency),
        "estimated_days": _n(app.estimated_days), "status": _s(app.status),
        "created_at": _s(to_rfc3339(app.created_at)), "updated_at": _s(to_rfc3339(app.updated_at)),
        "version": _n(version),
        "gsi1pk": _s(f"FREELANCER#{app.freelancer_id}"), "gsi1sk": _s(sort),
        "gsi2pk": _s(f"GIGAPPS#{app.gig_id}"), "gsi2sk": _s(sort),
    }
    if app.contract_id:
        item["contract_id"] = _s(app.contract_id)
    return item


def application_from(item: Mapping[str, Any]) -> Application:
    return Application(
        id=item["id"]["S"], gig_id=item["gig_id"]["S"], client_id=item["client_id"]["S"],
        freelancer_id=item["freelancer_id"]["S"], cover_letter=item["cover_letter"]["S"],
        proposed_rate=Money(amount=int(item["rate_amount"]["N"]), currency=item["currency"]["S"]),
        estimated_days=int(item["estimated_days"]["N"]), status=item["status"]["S"],
        created_at=parse_rfc3339(item["created_at"]["S"]), updated_at=parse_rfc3339(item["updated_at"]["S"]),
        contract_id=_opt_s(item, "contract_id"), version=int(item["version"]["N"]),
    )


def _status_condition(expected: Collection[str], version: int | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    if not expected:
        raise ValueError("a transition expects at least one status")
    names = {"#status": "status"}
    values = {f":expected{i}": _s(status) for i, status in enumerate(sorted(expected))}
    condition = f"attribute_exists(pk) AND #status IN ({', '.join(values)})"
    if version is not None:
        names["#version"] = "version"
        values[":version"] = _n(version)
        condition += " AND #version = :version"
    return condition, names, values


def _page_after(answer: Mapping[str, Any], count: int, limit: int) -> dict[str, str] | None:
    last = answer.get("LastEvaluatedKey")
    if not last or count < limit:
        return None
    return {k: str(v["S"]) for k, v in last.items()}


class DynamoApplicationRepository(DynamoTable):
    def add(self, application: Application, *, extra: Sequence[TransactItem] = (),
            events: Sequence[OutboxEvent] = ()) -> Application:
        stored = application.changed(version=1)
        own = [
            {"Put": {"Item": application_item(stored, 1), "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"Item": {"pk": _s(f"APPLICATION#{application.id}"), "sk": _s("APPLICATION"),
                              "kind": _s("application_link"), "gig_id": _s(application.gig_id),
                              "freelancer_id": _s(application.freelancer_id)},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        try:
            self._transact(own, extra, events)
        except _Cancelled as cancelled:
            if cancelled.code(0) == "ConditionalCheckFailed":
                raise ConflictError("You have already applied to this gig.",
                                    details=[ErrorDetail(field="gig_id", issue="already applied")]) from cancelled
            raise self._extra_error(cancelled, len(own)) from cancelled
        return stored

    def get(self, application_id: str) -> Application | None:
        link = self._get(f"APPLICATION#{application_id}", "APPLICATION")
        if link is None:
            return None
        key = application_key(link["gig_id"]["S"], link["freelancer_id"]["S"])
        item = self._get(key["pk"]["S"], key["sk"]["S"])
        return application_from(item) if item else None

    def open_of_gig(self, gig_id: str) -> list[Application]:
        found: list[Application] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :app)", "ConsistentRead": True,
            "FilterExpression": "#status IN (:pending, :shortlisted)",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":pk": _s(f"GIG#{gig_id}"), ":app": _s("APP#"),
                                          ":pending": _s("pending"), ":shortlisted": _s("shortlisted")},
        }
        while True:
            answer = self._call("query", **kwargs)
            found.extend(application_from(i) for i in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return [a for a in found if a.status in OPEN_APPLICATION_STATUSES]
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _page(self, index: str, key: str, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        kwargs: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": f"{index}pk = :pk",
                                  "ExpressionAttributeValues": {":pk": _s(key)}, "ScanIndexForward": False,
                                  "Limit": limit}
        if after:
            kwargs["ExclusiveStartKey"] = {k: _s(v) for k, v in after.items()}
        answer = self._call("query", **kwargs)
        apps = [application_from(i) for i in answer.get("Items", [])]
        return ApplicationPage(applications=apps, after=_page_after(answer, len(apps), limit))

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page("gsi2", f"GIGAPPS#{gig_id}", limit, after)

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page("gsi1", f"FREELANCER#{freelancer_id}", limit, after)

    def save_writes(self, application: Application, *,
                    expected: Collection[ApplicationStatus]) -> list[TransactItem]:
        condition, names, values = _status_condition(expected, application.version)
        return [{"Put": {"TableName": self._table, "Item": application_item(application, application.version + 1),
                         "ConditionExpression": condition, "ExpressionAttributeNames": names,
                         "ExpressionAttributeValues": values, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]

    def save(self, application: Application, *, expected: Collection[ApplicationStatus],
             extra: Sequence[TransactItem] = (), events: Sequence[OutboxEvent] = ()) -> Application:
        own = self.save_writes(application, expected=expected)
        try:
            self._transact(own, extra, events)
        except _Cancelled as cancelled:
            if cancelled.code(0) == "ConditionalCheckFailed":
                old = cancelled.reasons[0].get("Item") or self._get(*_key_of(own[0]))
                raise _moved_error("application", old, expected) from cancelled
            raise self._extra_error(cancelled, len(own)) from cancelled
        return application.changed(version=application.version + 1)


def _key_of(entry: TransactItem) -> tuple[str, str]:
    (body,) = entry.values()
    key = body.get("Key") or body["Item"]
    return str(key["pk"]["S"]), str(key["sk"]["S"])


def _moved_error(what: str, old: Mapping[str, Any] | None, expected: Collection[str]) -> Exception:
    """Why a conditioned write of one item failed, from the item as it was stored."""
    if not old:
        return NotFoundError(f"The {what} does not exist.")
    status = str(old.get("status", {}).get("S", ""))
    if status not in expected:
        return InvalidStateError(f"The {what} is {status.replace('_', ' ')}; that cannot be done now.",
                                 details=[ErrorDetail(field="status", issue=status)])
    return ConflictError(f"The {what} was changed by another request; try again.")


# ---- contracts and milestones ----------------------------------------------------------------------------

_MILESTONE_PREFIX = "CONTRACT#MILESTONE#"


def _contract_pk(contract_id: str) -> str:
    return f"CONTRACT#{contract_id}"


def contract_item(contract: Contract) -> dict[str, Any]:
    return {
        "pk": _s(_contract_pk(contract.id)), "sk": _s("CONTRACT"), "kind": _s("contract"), "id": _s(contract.id),
        "gig_id": _s(contract.gig_id), "application_id": _s(contract.application_id),
        "client_id": _s(contract.client_id), "freelancer_id": _s(contract.freelancer_id),
        "currency": _s(contract.currency), "status": _s(contract.status),
        "created_at": _s(to_rfc3339(contract.created_at)), "updated_at": _s(to_rfc3339(contract.updated_at)),
        "version": _n(1),
    }


def _encode(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, Money):
        return _n(value.amount)
    if isinstance(value, int):
        return _n(value)
    if isinstance(value, datetime):
        return _s(to_rfc3339(value))
    if isinstance(value, str):
        return _s(value)
    if isinstance(value, list | tuple):
        return {"L": [_encode(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__}")


def milestone_item(m: Milestone) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _s(_contract_pk(m.contract_id)), "sk": _s(_MILESTONE_PREFIX + m.id), "kind": _s("milestone"),
        "id": _s(m.id), "contract_id": _s(m.contract_id), "position": _n(m.position), "title": _s(m.title),
        "amount": _n(m.amount.amount), "currency": _s(m.amount.currency), "version": _n(max(m.version, 1)),
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
        funded_at=_opt_time(item, "funded_at"), submitted_at=_opt_time(item, "submitted_at"),
        auto_release_at=_opt_time(item, "auto_release_at"), released_at=_opt_time(item, "released_at"),
        payment_intent_id=_opt_s(item, "payment_intent_id"), charge_id=_opt_s(item, "charge_id"),
        transfer_id=_opt_s(item, "transfer_id"), submission_note=_opt_s(item, "submission_note"),
        attachment_keys=tuple(v["S"] for v in item.get("attachment_keys", {"L": []})["L"]),
        dispute_id=_opt_s(item, "dispute_id"), pending_op=_opt_s(item, "pending_op"),
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


def _update(key: dict[str, Any], changes: Mapping[str, Any], allowed: frozenset[str],
            expected: Collection[str], version: int | None,
            derived: Mapping[str, Any] | None = None) -> dict[str, Any]:
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not changeable: {', '.join(sorted(unknown))}")
    condition, names, values = _status_condition(expected, version)
    names["#version"] = "version"
    values[":one"] = _n(1)
    sets, removes = ["#version = #version + :one"], []
    for i, (name, value) in enumerate(sorted({**changes, **(derived or {})}.items())):
        names[f"#f{i}"] = name
        if value is None or value == ():
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = _encode(value)
            sets.append(f"#f{i} = :v{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {"Update": {"Key": key, "UpdateExpression": expression, "ConditionExpression": condition,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


#: gsi2 of a submitted milestone: the auto-release schedule's queue, ordered by when each is due (P9).
RELEASE_DUE_PK = "RELEASE_DUE"


def _release_due(contract_id: str, milestone_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The due-for-release keys follow ``auto_release_at``: set with it, removed with it."""
    if "auto_release_at" not in changes:
        return {}
    due = changes["auto_release_at"]
    if due is None:
        return {"gsi2pk": None, "gsi2sk": None}
    return {"gsi2pk": RELEASE_DUE_PK, "gsi2sk": f"{to_rfc3339(due)}#{contract_id}#{milestone_id}"}


class DynamoContractRepository(DynamoTable):
    def create(self, contract: Contract, *, extra: Sequence[TransactItem] = (),
               events: Sequence[OutboxEvent] = ()) -> Contract:
        absent = "attribute_not_exists(pk)"
        own: list[TransactItem] = [{"Put": {"Item": contract_item(contract), "ConditionExpression": absent}}]
        own += [{"Put": {"Item": milestone_item(m), "ConditionExpression": absent}} for m in contract.milestones]
        for user_id, role in ((contract.client_id, "client"), (contract.freelancer_id, "freelancer")):
            own.append({"Put": {"Item": {"pk": _s(f"USER#{user_id}"), "sk": _s(f"CONTRACT#{contract.id}"),
                                         "kind": _s("contract_party"), "contract_id": _s(contract.id),
                                         "role": _s(role)}}})
        try:
            self._transact(own, extra, events)
        except _Cancelled as cancelled:
            raise self._extra_error(cancelled, len(own)) from cancelled
        return replace(contract, milestones=tuple(replace(m, version=max(m.version, 1)) for m in contract.milestones))

    def get(self, contract_id: str) -> Contract | None:
        kwargs: dict[str, Any] = {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :contract)",
                                  "ConsistentRead": True,
                                  "ExpressionAttributeValues": {":pk": _s(_contract_pk(contract_id)),
                                                                ":contract": _s("CONTRACT")}}
        items: list[dict[str, Any]] = []
        while True:
            answer = self._call("query", **kwargs)
            items.extend(answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        head = next((i for i in items if i["sk"]["S"] == "CONTRACT"), None)
        if head is None:
            return None
        return contract_from(head, [milestone_from(i) for i in items if i["sk"]["S"].startswith(_MILESTONE_PREFIX)])

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        item = self._get(_contract_pk(contract_id), _MILESTONE_PREFIX + milestone_id)
        return milestone_from(item) if item else None

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        kwargs: dict[str, Any] = {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :contract)",
                                  "ExpressionAttributeValues": {":pk": _s(f"USER#{user_id}"),
                                                                ":contract": _s("CONTRACT#")},
                                  "ScanIndexForward": False, "Limit": limit}
        if after:
            kwargs["ExclusiveStartKey"] = {k: _s(v) for k, v in after.items()}
        answer = self._call("query", **kwargs)
        links = answer.get("Items", [])
        found = list(_POOL.map(self.get, [link["contract_id"]["S"] for link in links]))
        contracts = [c for c in found if c is not None]
        return ContractPage(contracts=contracts, after=_page_after(answer, len(links), limit))

    def milestone_write(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                        changes: Mapping[str, Any], expected_version: int | None = None) -> TransactItem:
        key = {"pk": _s(_contract_pk(contract_id)), "sk": _s(_MILESTONE_PREFIX + milestone_id)}
        unknown = set(changes) - MILESTONE_MUTABLE_FIELDS
        if unknown:
            raise ValueError(f"not changeable: {', '.join(sorted(unknown))}")
        return _update(key, changes, MILESTONE_MUTABLE_FIELDS, expected, expected_version,
                       _release_due(contract_id, milestone_id, changes))

    def milestone_check(self, contract_id: str, milestone_id: str, *, version: int) -> TransactItem:
        return {"ConditionCheck": {
            "Key": {"pk": _s(_contract_pk(contract_id)), "sk": _s(_MILESTONE_PREFIX + milestone_id)},
            "ConditionExpression": "#version = :version", "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":version": _n(version)}}}

    def _transition(self, own: TransactItem, what: str, expected: Collection[str], extra: Sequence[TransactItem],
                    events: Sequence[OutboxEvent], reread: Callable[[], Any]) -> Any:
        try:
            self._transact([own], extra, events)
        except _Cancelled as cancelled:
            if cancelled.code(0) == "ConditionalCheckFailed":
                old = cancelled.reasons[0].get("Item") or self._get(*_key_of(own))
                raise _moved_error(what, old, expected) from cancelled
            raise self._extra_error(cancelled, 1) from cancelled
        return reread()

    def transition_milestone(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                             changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                             events: Sequence[OutboxEvent] = (),
                             expected_version: int | None = None) -> Milestone:
        own = self.milestone_write(contract_id, milestone_id, expected=expected, changes=changes,
                                   expected_version=expected_version)

        def reread() -> Milestone:
            stored = self.get_milestone(contract_id, milestone_id)
            if stored is None:
                raise NotFoundError("The milestone does not exist.")
            return stored

        result: Milestone = self._transition(own, "milestone", expected, extra, events, reread)
        return result

    def contract_write(self, contract_id: str, *, expected: Collection[ContractStatus],
                       changes: Mapping[str, Any]) -> TransactItem:
        key = {"pk": _s(_contract_pk(contract_id)), "sk": _s("CONTRACT")}
        return _update(key, changes, CONTRACT_MUTABLE_FIELDS, expected, None)

    def transition_contract(self, contract_id: str, *, expected: Collection[ContractStatus],
                            changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                            events: Sequence[OutboxEvent] = ()) -> Contract:
        own = self.contract_write(contract_id, expected=expected, changes=changes)

        def reread() -> Contract:
            stored = self.get(contract_id)
            if stored is None:
                raise NotFoundError("The contract does not exist.")
            return stored

        result: Contract = self._transition(own, "contract", expected, extra, events, reread)
        return result

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """(contract id, milestone id) of submitted milestones whose ``auto_release_at`` is at or before
        ``now``, earliest first (gsi2, eventually consistent: the release re-checks the milestone)."""
        answer = self._call("query", IndexName="gsi2", Limit=limit,
                            KeyConditionExpression="gsi2pk = :due AND gsi2sk <= :now",
                            ExpressionAttributeValues={":due": _s(RELEASE_DUE_PK),
                                                       ":now": _s(to_rfc3339(now) + "#~")})
        found = []
        for item in answer.get("Items", []):
            _, contract_id, milestone_id = item["gsi2sk"]["S"].split("#")
            found.append((contract_id, milestone_id))
        return found
