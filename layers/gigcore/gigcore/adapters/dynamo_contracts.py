"""DynamoDB readers of applications and contracts (docs/data-model.md, patterns P1-P9), through the low-level
client. Their writes are made by the unit of work (``gigcore.adapters.dynamo_unit_of_work``) from the entries of
``gigcore.adapters.dynamo_contract_items``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from gigcore.adapters.dynamo_contract_items import (
    MILESTONE_PREFIX,
    RELEASE_DUE_PK,
    application_from,
    application_key,
    contract_from,
    contract_pk,
    milestone_from,
)
from gigcore.adapters.dynamo_table import DynamoTable, text
from gigcore.domain.applications import OPEN_APPLICATION_STATUSES, Application
from gigcore.domain.clock import to_rfc3339
from gigcore.domain.contracts import Contract, Milestone
from gigcore.ports.contracts import ApplicationPage, ContractPage

#: Shared by every request of the process: a contracts page reads its contracts in parallel.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="gigconnect-contracts")


class DynamoApplicationReader(DynamoTable):
    """:class:`gigcore.ports.contracts.ApplicationReader` on the main table."""

    def get(self, application_id: str) -> Application | None:
        link = self.item(f"APPLICATION#{application_id}", "APPLICATION")
        if link is None:
            return None
        key = application_key(link["gig_id"]["S"], link["freelancer_id"]["S"])
        item = self.item(key["pk"]["S"], key["sk"]["S"])
        return application_from(item) if item else None

    def open_of_gig(self, gig_id: str) -> list[Application]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :app)", ConsistentRead=True,
            FilterExpression="#status IN (:pending, :shortlisted)", ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pk": text(f"GIG#{gig_id}"), ":app": text("APP#"),
                                       ":pending": text("pending"), ":shortlisted": text("shortlisted")})
        return [a for a in map(application_from, items) if a.status in OPEN_APPLICATION_STATUSES]

    def _page(self, index: str, key: str, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        items, following = self.newest_first(limit, after, IndexName=index, KeyConditionExpression=f"{index}pk = :pk",
                                             ExpressionAttributeValues={":pk": text(key)})
        return ApplicationPage(applications=[application_from(i) for i in items], after=following)

    def of_gig(self, gig_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page("gsi2", f"GIGAPPS#{gig_id}", limit, after)

    def of_freelancer(self, freelancer_id: str, *, limit: int, after: dict[str, str] | None) -> ApplicationPage:
        return self._page("gsi1", f"FREELANCER#{freelancer_id}", limit, after)


class DynamoContractReader(DynamoTable):
    """:class:`gigcore.ports.contracts.ContractReader` on the main table."""

    def get(self, contract_id: str) -> Contract | None:
        items = self.query_all(KeyConditionExpression="pk = :pk AND begins_with(sk, :contract)",
                               ConsistentRead=True,
                               ExpressionAttributeValues={":pk": text(contract_pk(contract_id)),
                                                          ":contract": text("CONTRACT")})
        head = next((i for i in items if i["sk"]["S"] == "CONTRACT"), None)
        if head is None:
            return None
        return contract_from(head, [milestone_from(i) for i in items if i["sk"]["S"].startswith(MILESTONE_PREFIX)])

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        item = self.item(contract_pk(contract_id), MILESTONE_PREFIX + milestone_id)
        return milestone_from(item) if item else None

    def of_user(self, user_id: str, *, limit: int, after: dict[str, str] | None) -> ContractPage:
        links, following = self.newest_first(limit, after,
                                             KeyConditionExpression="pk = :pk AND begins_with(sk, :contract)",
                                             ExpressionAttributeValues={":pk": text(f"USER#{user_id}"),
                                                                        ":contract": text("CONTRACT#")})
        found = list(_POOL.map(self.get, [link["contract_id"]["S"] for link in links]))
        return ContractPage(contracts=[c for c in found if c is not None], after=following)

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        """(contract id, milestone id) of submitted milestones whose ``auto_release_at`` is at or before
        ``now``, earliest first (gsi2, eventually consistent: the release re-checks the milestone)."""
        answer = self.call("query", IndexName="gsi2", Limit=limit,
                           KeyConditionExpression="gsi2pk = :due AND gsi2sk <= :now",
                           ExpressionAttributeValues={":due": text(RELEASE_DUE_PK),
                                                      ":now": text(to_rfc3339(now) + "#~")})
        found = []
        for item in answer.get("Items", []):
            _, contract_id, milestone_id = item["gsi2sk"]["S"].split("#")
            found.append((contract_id, milestone_id))
        return found
