"""``make demo``: a believable marketplace on a running stack, made through the public API only.

    python -m infra.local.demo [--api http://127.0.0.1:8000] [--stack-file .data/stack.env] [--json]

Two clients (a Lagos production company and an Abuja homeowner) post open gigs; three freelancers (a Lagos
boom operator, a Lagos plumber and an Abuja maths tutor) sign up with profiles; the boom operator applies, is
accepted with two milestones, and the first milestone is funded with the local Stripe's test card
(``pm_card_visa``); client and freelancer exchange messages in a conversation about the contract.

Every call goes over HTTP, as an app's would (no database writes), so the data is what the API made of it.
Each run signs up new accounts (the emails carry the run's tag), so running it twice adds a second, separate
set instead of failing on existing emails. The API's address comes from ``--api``, else ``GIGCONNECT_API_URL``
in the file ``make run`` writes (``.data/stack.env``), else ``http://127.0.0.1:8000``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "demo password 2026"  # noqa: S105 (demo accounts on a local stack)
DEFAULT_API = "http://127.0.0.1:8000"


class DemoError(RuntimeError):
    """A call did not answer as the contract says; the message names the call and the answer."""


def ngn(naira: int) -> dict[str, Any]:
    return {"amount": naira * 100, "currency": "NGN"}


LAGOS = {"lat": 6.4541, "lng": 3.3947}  # Lagos Island
LEKKI = {"lat": 6.4474, "lng": 3.4723}
YABA = {"lat": 6.5095, "lng": 3.3711}
ABUJA = {"lat": 9.0765, "lng": 7.3986}  # Central Business District
WUSE = {"lat": 9.0801, "lng": 7.4700}

CLIENTS: list[dict[str, Any]] = [
    {"key": "lagos_client", "name": "Adaeze Okafor (Eko Reels Productions)", "location": LEKKI},
    {"key": "abuja_client", "name": "Musa Bello", "location": WUSE},
]
FREELANCERS: list[dict[str, Any]] = [
    {"key": "boom_operator", "name": "Tunde Adeyemi", "location": YABA, "profile": {
        "headline": "Boom operator and location sound recordist",
        "bio": "Twelve Nollywood features and a dozen commercials; my own Sennheiser kit and a timecode slate.",
        "skills": [{"name": "boom", "level": "expert"}, {"name": "location sound", "level": "expert"},
                   {"name": "sound mixing", "level": "intermediate"}],
        "hourly_rate": ngn(15_000), "availability": "available", "location": YABA, "service_radius_km": 40,
        "portfolio_urls": ["https://example.com/tunde-sound"]}},
    {"key": "plumber", "name": "Chinedu Eze", "location": LAGOS, "profile": {
        "headline": "Licensed plumber: leaks, borehole pumps, bathroom fittings",
        "bio": "Same-day call-outs on the Island and in Lekki; I bring the parts and clean up after.",
        "skills": [{"name": "plumbing", "level": "expert"}, {"name": "pump repair", "level": "intermediate"}],
        "hourly_rate": ngn(8_000), "availability": "available", "location": LAGOS, "service_radius_km": 25,
        "portfolio_urls": []}},
    {"key": "tutor", "name": "Aisha Mohammed", "location": ABUJA, "profile": {
        "headline": "WAEC and JAMB mathematics tutor",
        "bio": "Six years of home lessons in Wuse, Maitama and Garki; past students scored A1 in further maths.",
        "skills": [{"name": "mathematics", "level": "expert"}, {"name": "physics", "level": "intermediate"}],
        "hourly_rate": ngn(6_000), "availability": "busy", "location": ABUJA, "service_radius_km": 15,
        "portfolio_urls": []}},
]
GIGS: list[dict[str, Any]] = [
    {"owner": "lagos_client", "key": "boom_gig", "body": {
        "title": "Boom operator for a four-day feature shoot in Lekki",
        "description": "Interior and exterior scenes, 6am call times, own kit preferred. Feeding and transport "
                       "covered.", "category": "film-crew", "skills": ["boom", "location sound"],
        "budget": {"min": ngn(200_000), "max": ngn(450_000), "type": "fixed"}, "location": LEKKI,
        "remote": False, "urgency": "high"}},
    {"owner": "lagos_client", "key": "casting_gig", "body": {
        "title": "Casting call: two supporting actors for a web series",
        "description": "Yoruba and English lines; one day of table read and three shoot days in Yaba.",
        "category": "casting", "skills": ["acting", "yoruba"],
        "budget": {"min": ngn(100_000), "max": ngn(250_000), "type": "fixed"}, "location": YABA,
        "remote": False, "urgency": "medium"}},
    {"owner": "abuja_client", "key": "plumbing_gig", "body": {
        "title": "Fix a leaking kitchen sink and replace two taps",
        "description": "The pipe under the sink drips and both bathroom taps are worn. Wuse 2, weekday mornings.",
        "category": "plumbing", "skills": ["plumbing"],
        "budget": {"min": ngn(15_000), "max": ngn(40_000), "type": "fixed"}, "location": WUSE,
        "remote": False, "urgency": "high"}},
    {"owner": "abuja_client", "key": "tutor_gig", "body": {
        "title": "Maths tutor for a JAMB candidate, three evenings a week",
        "description": "My daughter sits JAMB in April; lessons at home in Wuse or online.",
        "category": "tutoring", "skills": ["mathematics"],
        "budget": {"min": ngn(5_000), "max": ngn(7_000), "type": "hourly"}, "location": ABUJA,
        "remote": True, "urgency": "medium"}},
]


@dataclass
class Account:
    key: str
    role: str
    name: str
    email: str
    user_id: str = ""
    access_token: str = ""


@dataclass
class Demo:
    """What the seed made: accounts (with tokens) and the ids of what they made."""

    api_url: str
    run: str
    accounts: dict[str, Account] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"api_url": self.api_url, "run": self.run, "password": PASSWORD, "ids": self.ids,
                "accounts": [vars(a) for a in self.accounts.values()]}


class ApiClient:
    def __init__(self, api_url: str, timeout: float = 30) -> None:
        self.api_url = api_url.rstrip("/")
        self._http = httpx.Client(base_url=self.api_url, timeout=timeout)

    def call(self, method: str, path: str, token: str = "", body: Any = None, *, expect: tuple[int, ...] = (200,),
             money: bool = False) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if money:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        answer = self._http.request(method, path, json=body, headers=headers)
        if answer.status_code not in expect:
            raise DemoError(f"{method} {path} answered {answer.status_code}: {answer.text[:500]}")
        return answer.json() if answer.content else None

    def close(self) -> None:
        self._http.close()


def seed(api_url: str, *, run: str | None = None, funded_wait_seconds: float = 20) -> Demo:
    """Seed the stack at ``api_url`` through its API; raises DemoError naming the first call that failed."""
    api = ApiClient(api_url)
    demo = Demo(api.api_url, run or time.strftime("%m%d%H%M") + secrets.token_hex(2))
    try:
        health = api.call("GET", "/health", expect=(200, 503))
        if health.get("status") != "ok":
            raise DemoError(f"the stack is not healthy: {health}")
        for person, role in [(c, "client") for c in CLIENTS] + [(f, "freelancer") for f in FREELANCERS]:
            first = person["name"].split()[0].lower()
            account = Account(person["key"], role, person["name"], f"{first}.{person['key']}+{demo.run}@example.com")
            made = api.call("POST", "/auth/signup", body={
                "email": account.email, "password": PASSWORD, "name": account.name, "roles": [role],
                "location": person["location"]}, expect=(201,))
            account.user_id, account.access_token = made["user"]["id"], made["access_token"]
            demo.accounts[account.key] = account
            if "profile" in person:
                api.call("PUT", "/me/freelancer-profile", account.access_token, person["profile"])
        for gig in GIGS:
            made = api.call("POST", "/gigs", demo.accounts[gig["owner"]].access_token, gig["body"], expect=(201,))
            demo.ids[gig["key"]] = made["id"]
        _contract(api, demo, funded_wait_seconds)
        return demo
    finally:
        api.close()


def _contract(api: ApiClient, demo: Demo, funded_wait_seconds: float) -> None:
    """The boom operator applies (and the plumber too), is hired with two milestones; the first is funded."""
    client, boom = demo.accounts["lagos_client"].access_token, demo.accounts["boom_operator"].access_token
    plumber = demo.accounts["plumber"].access_token
    api.call("POST", f"/gigs/{demo.ids['plumbing_gig']}/applications", plumber, {
        "cover_letter": "I can come on Tuesday morning with new taps.", "proposed_rate": ngn(30_000),
        "estimated_days": 1}, expect=(201,))
    application = api.call("POST", f"/gigs/{demo.ids['boom_gig']}/applications", boom, {
        "cover_letter": "I recorded sound on 'Lagos Nights' and own a full boom kit.", "proposed_rate": ngn(400_000),
        "estimated_days": 4}, expect=(201,))
    demo.ids["application"] = application["id"]
    api.call("POST", "/me/payout-account", boom)
    contract = api.call("POST", f"/applications/{application['id']}/accept", client, {
        "milestones": [{"title": "Shoot days one and two", "amount": ngn(200_000)},
                       {"title": "Shoot days three and four, wild tracks", "amount": ngn(200_000)}]}, expect=(201,))
    demo.ids["contract"] = contract["id"]
    first = contract["milestones"][0]["id"]
    demo.ids["funded_milestone"] = first
    funding = api.call("POST", f"/contracts/{contract['id']}/milestones/{first}/fund", client,
                       {"payment_method_id": "pm_card_visa"}, money=True)
    intent = funding["payment"]["payment_intent_id"]
    deadline = time.monotonic() + funded_wait_seconds
    status = funding["milestone"]["status"]
    while status != "funded":
        if time.monotonic() > deadline:
            raise DemoError(f"the milestone stayed {status!r} after the local Stripe charged the card")
        time.sleep(0.5)  # the webhook usually lands first; the sync asks Stripe directly otherwise
        status = api.call("POST", f"/payments/{intent}/sync", client)["milestone"]["status"]
    conversation = api.call("POST", "/conversations", client, {
        "participant_ids": [demo.accounts["boom_operator"].user_id], "contract_id": contract["id"]},
        expect=(200, 201))
    demo.ids["conversation"] = conversation["id"]
    for token, text in ((client, "Welcome aboard! Call time on day one is 6am at the Lekki location."),
                        (boom, "Thanks! I'll bring the boom, two lavaliers and a backup recorder."),
                        (client, "Perfect. The first milestone is funded; see you Monday.")):
        api.call("POST", f"/conversations/{conversation['id']}/messages", token,
                 {"body": text, "client_msg_id": uuid.uuid4().hex}, expect=(201,))


def report(demo: Demo) -> str:
    """The accounts, their tokens and three requests to try."""
    lines = [f"GigConnect demo data on {demo.api_url} (run {demo.run}); every password is {PASSWORD!r}", ""]
    for a in demo.accounts.values():
        lines.append(f"  {a.role:<10} {a.name:<40} {a.email}")
        lines.append(f"             id {a.user_id}")
        lines.append(f"             access token (15 minutes; POST /auth/login for a new one): {a.access_token}")
    lines += ["", "  gigs (the boom operator's is now in progress, the others open): "
              + ", ".join(demo.ids[g["key"]] for g in GIGS),
              f"  contract {demo.ids['contract']} (first milestone funded), conversation {demo.ids['conversation']}",
              "", "Try:"]
    client, boom = demo.accounts["lagos_client"], demo.accounts["boom_operator"]
    lines += [
        f"  curl -s -H 'Authorization: Bearer {boom.access_token}' "
        f"'{demo.api_url}/gigs/nearby?lat={YABA['lat']}&lng={YABA['lng']}&radius_km=25'",
        f"  curl -s -H 'Authorization: Bearer {client.access_token}' '{demo.api_url}/contracts/{demo.ids['contract']}'",
        f"  curl -s -H 'Authorization: Bearer {boom.access_token}' "
        f"'{demo.api_url}/conversations/{demo.ids['conversation']}/messages'",
    ]
    return "\n".join(lines)


def api_url_from(stack_file: Path) -> str | None:
    from gigcore.cli import read_stack_file

    return read_stack_file(stack_file).get("GIGCONNECT_API_URL") if stack_file.is_file() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", help="the API's base URL (default: the running `make run` stack's)")
    parser.add_argument("--stack-file", type=Path, default=Path(".data") / "stack.env")
    parser.add_argument("--json", action="store_true", help="print what was made as JSON")
    args = parser.parse_args()
    api_url = args.api or api_url_from(args.stack_file) or DEFAULT_API
    try:
        demo = seed(api_url)
    except httpx.HTTPError as exc:
        print(f"error: cannot reach the API at {api_url} ({exc}); start the stack with `make run` first",
              file=sys.stderr)
        return 1
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(demo.as_json(), indent=2) if args.json else report(demo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
