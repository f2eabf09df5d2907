"""GigConnect load scenarios for locust, in phases of rising arrival rate.

Scenarios (users of each kind are mixed by weight; each user starts one run per second on average, its runs a
Poisson process, so the arrivals of many users are independent as real users' are, not bunched at the moment
locust spawned them):
- "browse gigs": GET /gigs/nearby around the city, then GET /gigs/{id} of one of the answers;
- "sign in": POST /auth/login, then GET /me;
- "chat": sendMessage over the WebSocket, timed until its ack;
- "apply": POST /gigs/{id}/applications. Left out (and said so in the report) while the route answers 404
  or 405; it runs once the route exists.
- "pay": POST /contracts/{id}/milestones/{id}/fund with pm_card_visa (a PaymentIntent confirmed at Stripe), each
  seeded milestone once; it stops when they are all funded.

The data they need (clients with gigs around the city, freelancers, conversations) is made through the API
when locust starts. Run by ``make load`` (tests/load/run.py), or against any stage:

    locust -f tests/load/locustfile.py --headless --host https://<api> [--ws-url wss://<socket>]

Settings come from the environment: GIGCONNECT_LOAD_STEPS ("2,4,8,16,32,48,64,96": runs per second of each
step), GIGCONNECT_LOAD_STEP_SECONDS (15), GIGCONNECT_LOAD_WS (the WebSocket URL; no chat without it),
GIGCONNECT_LOAD_OUT (the report's folder; bench/out/load-<time> by default), GIGCONNECT_LOAD_SEED
("4,10,12,6,20": clients, gigs per client, freelancers, conversations, contracts of 20 milestones to fund).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
import requests
import websocket
from gevent.pool import Pool
from locust import FastHttpUser, LoadTestShape, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.load import report  # noqa: E402 - locust puts only this folder on the path

CITY = (6.5244, 3.3792)  # the seeded gigs lie within ~8 km of this point
PASSWORD = "correct horse battery"
STEPS = [report.Step(float(rate), float(os.environ.get("GIGCONNECT_LOAD_STEP_SECONDS", "15")))
         for rate in os.environ.get("GIGCONNECT_LOAD_STEPS", "2,4,8,16,32,48,64,96").split(",")]
OUT = Path(os.environ.get("GIGCONNECT_LOAD_OUT") or
           Path(__file__).resolve().parents[2] / "bench" / "out" / time.strftime("load-%Y%m%d-%H%M%S"))


class Seed:
    """What the scenarios use, made once through the API."""

    sessions: list[dict[str, Any]] = []  # freelancers and clients: {"email", "token", "id"}
    freelancers: list[dict[str, Any]] = []
    gig_ids: list[str] = []
    rooms: list[tuple[str, dict[str, Any]]] = []  # (conversation id, the sender's session)
    apply_skipped: str | None = None
    milestones: list[tuple[str, str, dict[str, Any]]] = []  # (contract id, milestone id, the client's session)
    started: float | None = None  # the clock of the shape's first tick; steps count from here
    records: list[report.Record] = []
    notes: list[str] = []
    seed_cpu: dict[str, list[float]] = {}  # handler CPU ms of the seeding's POSTs, by route


def _post(http: requests.Session, host: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = http.post(f"{host}{path}", json=body, headers=headers, timeout=60)
    if answer.status_code >= 400:
        raise RuntimeError(f"seeding: POST {path} answered {answer.status_code}: {answer.text[:200]}")
    cpu = _server_timing(answer).cpu_ms
    if cpu is not None:
        Seed.seed_cpu.setdefault(f"POST {path.split('/')[1]}", []).append(cpu)
    return answer.json()


def _signup(http: requests.Session, host: str, roles: list[str]) -> dict[str, Any]:
    body = {"email": f"load-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "Load Test",
            "roles": roles}
    session = _post(http, host, "/auth/signup", body)
    return {"email": body["email"], "token": session["access_token"], "id": session["user"]["id"]}


def _gig_body(rng: random.Random, n: int) -> dict[str, Any]:
    lat, lng = CITY[0] + rng.uniform(-0.07, 0.07), CITY[1] + rng.uniform(-0.07, 0.07)
    return {"title": f"Load test gig number {n}", "description": "Made by the GigConnect load test.",
            "category": rng.choice(["plumbing", "electrical", "cleaning", "moving"]), "skills": ["general"],
            "budget": {"min": {"amount": 500000, "currency": "NGN"}, "max": {"amount": 900000, "currency": "NGN"},
                       "type": "fixed"},
            "location": {"lat": round(lat, 6), "lng": round(lng, 6)}, "remote": False, "urgency": "medium"}


def _contracts(http: requests.Session, host: str, pool: Pool, owner: dict[str, Any], freelancer: dict[str, Any],
               count: int) -> None:
    """``count`` contracts of 20 milestones between ``owner`` and ``freelancer``, on gigs of their own (accepted
    gigs leave "near me", so the browsed gigs stay as they are)."""
    rng = random.Random(11)
    milestones = [{"title": f"Part {i + 1}", "amount": {"amount": 30000, "currency": "NGN"}} for i in range(20)]

    def one(n: int) -> None:
        gig = _post(http, host, "/gigs", _gig_body(rng, 10_000 + n), owner["token"])
        application = _post(http, host, f"/gigs/{gig['id']}/applications",
                            {"cover_letter": "Load test.", "proposed_rate": {"amount": 600000, "currency": "NGN"},
                             "estimated_days": 3}, freelancer["token"])
        contract = _post(http, host, f"/applications/{application['id']}/accept", {"milestones": milestones},
                         owner["token"])
        Seed.milestones.extend((contract["id"], m["id"], owner) for m in contract["milestones"])

    pool.map(one, range(count))


def seed(host: str, ws_url: str | None, clients: int = 4, gigs_each: int = 10, freelancers: int = 12,
         rooms: int = 6, contracts: int = 20) -> None:
    started = time.perf_counter()
    rng = random.Random(9)
    http = requests.Session()
    pool = Pool(4)
    owners = pool.map(lambda _: _signup(http, host, ["client"]), range(clients))
    Seed.freelancers = pool.map(lambda _: _signup(http, host, ["freelancer"]), range(freelancers))
    bodies = [(owner, _gig_body(rng, i * gigs_each + j)) for i, owner in enumerate(owners) for j in range(gigs_each)]
    Seed.gig_ids = [gig["id"] for gig in pool.map(lambda ob: _post(http, host, "/gigs", ob[1], ob[0]["token"]),
                                                  bodies)]
    Seed.sessions = owners + Seed.freelancers
    if ws_url:
        pairs = pool.map(lambda _: (_signup(http, host, ["client"]), _signup(http, host, ["freelancer"])),
                         range(rooms))
        for a, b in pairs:
            room = _post(http, host, "/conversations", {"participant_ids": [b["id"]]}, a["token"])
            Seed.rooms.append((room["id"], a))
    else:
        Seed.notes.append("chat: left out (no WebSocket URL given)")
    # Does the applications route exist yet? A real first application when it does.
    probe = http.post(f"{host}/gigs/{Seed.gig_ids[0]}/applications", timeout=60,
                      headers={"Authorization": f"Bearer {Seed.freelancers[0]['token']}"},
                      json={"cover_letter": "Load test.", "proposed_rate": {"amount": 600000, "currency": "NGN"},
                            "estimated_days": 3})
    if probe.status_code in (404, 405):
        Seed.apply_skipped = f"apply: skipped, POST /gigs/{{id}}/applications answered {probe.status_code}"
        Seed.notes.append(Seed.apply_skipped + " (the route is not there yet)")
    elif contracts:
        _contracts(http, host, pool, owners[0], Seed.freelancers[-1], contracts)
    for name, cpu in sorted(Seed.seed_cpu.items()):
        Seed.notes.append(f"handler CPU of {name} while seeding: p50 {report.percentile(cpu, 50):.2f} ms, "
                          f"max {max(cpu):.2f} ms over {len(cpu)} (4 at a time)")
    Seed.notes.insert(0, f"seeded through the API in {time.perf_counter() - started:.1f} s: {clients} clients with "
                         f"{len(Seed.gig_ids)} gigs around {CITY}, {freelancers} freelancers, "
                         f"{len(Seed.rooms)} conversations, {len(Seed.milestones)} milestones to fund")


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--ws-url", default=os.environ.get("GIGCONNECT_LOAD_WS", ""),
                        help="the WebSocket URL for the chat scenario (none: no chat)")


@events.init.add_listener
def _seed(environment: Any, **_: Any) -> None:
    """Seed before the first tick of the shape, so the steps count from a seeded stack and the shape knows
    which scenarios can run."""
    if not Seed.gig_ids and environment.host:
        sizes = [int(n) for n in os.environ.get("GIGCONNECT_LOAD_SEED", "4,10,12,6,20").split(",")]
        seed(environment.host.rstrip("/"), environment.parsed_options.ws_url or None, *sizes)
        for note in Seed.notes:
            print(f"load: {note}", flush=True)


def _step(now: float) -> int:
    elapsed = now - (Seed.started or now)
    for index, step in enumerate(STEPS):
        elapsed -= step.seconds
        if elapsed < 0:
            return index
    return len(STEPS) - 1


def _server_timing(response: Any) -> report.Timing:
    """The local runtime's ``Server-Timing``: handler CPU and wall time, the gateway's time, cache lookups,
    and whether the request was its worker's first of the route."""
    header = response.headers.get("Server-Timing") if response is not None else None
    if not header:
        return report.Timing()
    durations: dict[str, float] = {}
    counts: dict[str, int] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition(";")
        value = value.split("=", 1)[-1].strip('"')
        if name in ("cpu", "handler", "gateway"):
            durations[name] = float(value)
        elif name in ("cache-hit", "cache-miss"):
            counts[name] = int(value)
        elif name == "first":
            counts[name] = 1  # absent: not the first
    return report.Timing(cpu_ms=durations.get("cpu"), handler_ms=durations.get("handler"),
                         gateway_ms=durations.get("gateway"), cache_hits=counts.get("cache-hit", 0),
                         cache_misses=counts.get("cache-miss", 0), first=bool(counts.get("first")))


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any = None, exception: Any = None,
            context: Any = None, **_: Any) -> None:
    if Seed.started is None or not context or "scenario" not in context:
        return
    now = time.monotonic()
    timing = _server_timing(response) if request_type != "WS" else report.Timing()
    Seed.records.append(report.Record(at=now - Seed.started, step=_step(now), scenario=context["scenario"],
                                      name=name, method=request_type, ms=response_time, ok=exception is None,
                                      cpu_ms=timing.cpu_ms, cache_hits=timing.cache_hits,
                                      cache_misses=timing.cache_misses, handler_ms=timing.handler_ms,
                                      gateway_ms=timing.gateway_ms, first=timing.first))


@events.test_stop.add_listener
def _report(environment: Any, **_: Any) -> None:
    if Seed.started is None:
        return
    shape = ", ".join(f"{s.rate:g}/s x {s.seconds:g} s" for s in STEPS)
    notes = [*Seed.notes, f"host {environment.host}; steps {shape}",
             "handler CPU and cache lookups come from the local runtime's Server-Timing header (none on a stage)"]
    text = report.write(Seed.records, STEPS, OUT, notes)
    print(text, flush=True)
    print(f"load report: {OUT / 'report.md'} (chart {OUT / 'latency.png'})", flush=True)


def poisson_pacing(rate: float) -> Any:
    """A locust ``wait_time`` under which a user's runs start as a Poisson process of ``rate`` per second:
    exponential gaps between starts, less the time the run took. A user whose runs take longer than its gaps
    catches up by at most one second's worth, so a slow server is not answered with a flood."""

    def wait(user: Any) -> float:
        now = time.monotonic()
        start = max(getattr(user, "_next_start", now), now - 1.0)
        user._next_start = start + random.expovariate(rate)
        return max(0.0, user._next_start - now)

    return wait


class _User(FastHttpUser):
    abstract = True
    wait_time = poisson_pacing(1.0)
    scenario = ""

    def on_start(self) -> None:
        self.session = random.choice(Seed.sessions)
        self.headers = {"Authorization": f"Bearer {self.session['token']}"}
        gevent.sleep(random.expovariate(1.0))  # the first run too, not at the moment of spawning

    def get(self, path: str, name: str, **kwargs: Any) -> Any:
        return self.client.get(path, name=name, headers=self.headers, context={"scenario": self.scenario},
                               **kwargs)


class BrowseGigs(_User):
    weight = 5
    scenario = "browse gigs"

    @task
    def browse(self) -> None:
        lat, lng = CITY[0] + random.uniform(-0.03, 0.03), CITY[1] + random.uniform(-0.03, 0.03)
        answer = self.get(f"/gigs/nearby?lat={lat:.5f}&lng={lng:.5f}&radius_km=10&limit=20", "GET /gigs/nearby")
        items = answer.json().get("items", []) if answer.ok else []
        gig_id = random.choice(items)["id"] if items else random.choice(Seed.gig_ids)
        self.get(f"/gigs/{gig_id}", "GET /gigs/{id}")


_sign_in_pool = itertools.cycle(range(10**6))


class SignIn(_User):
    weight = 2
    scenario = "sign in"

    @task
    def sign_in(self) -> None:
        who = Seed.sessions[next(_sign_in_pool) % len(Seed.sessions)]
        answer = self.client.post("/auth/login", json={"email": who["email"], "password": PASSWORD},
                                  name="POST /auth/login", context={"scenario": self.scenario})
        if answer.ok:
            self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            self.get("/me", "GET /me")


_apply_pairs = itertools.count(1)  # pair 0 was the probe's


class Apply(_User):
    weight = 1
    scenario = "apply"

    @task
    def apply(self) -> None:
        if Seed.apply_skipped:
            raise StopUser()
        # Each (freelancer, gig) pair once: a second application by the same freelancer is a 409.
        n = next(_apply_pairs)
        who = Seed.freelancers[n % len(Seed.freelancers)]
        gig_id = Seed.gig_ids[(n // len(Seed.freelancers)) % len(Seed.gig_ids)]
        with self.client.post(f"/gigs/{gig_id}/applications", name="POST /gigs/{id}/applications",
                              headers={"Authorization": f"Bearer {who['token']}"},
                              json={"cover_letter": "Load test.", "estimated_days": 3,
                                    "proposed_rate": {"amount": 600000, "currency": "NGN"}},
                              context={"scenario": self.scenario}, catch_response=True) as answer:
            if answer.status_code == 409:  # the pairs came round again in a long run: not the server's fault
                answer.success()


_milestones = itertools.count()


class Pay(_User):
    weight = 1
    scenario = "pay"

    @task
    def fund(self) -> None:
        n = next(_milestones)
        if n >= len(Seed.milestones):  # every seeded milestone is funded: nothing left to pay
            raise StopUser()
        contract_id, milestone_id, client = Seed.milestones[n]
        self.client.post(f"/contracts/{contract_id}/milestones/{milestone_id}/fund",
                         name="POST /contracts/{id}/milestones/{id}/fund", json={"payment_method_id": "pm_card_visa"},
                         headers={"Authorization": f"Bearer {client['token']}", "Idempotency-Key": uuid.uuid4().hex},
                         context={"scenario": self.scenario})


_rooms = itertools.count()


class Chat(_User):
    weight = 2
    scenario = "chat"

    def on_start(self) -> None:
        if not Seed.rooms:
            raise StopUser()
        self.room, sender = Seed.rooms[next(_rooms) % len(Seed.rooms)]
        url = self.environment.parsed_options.ws_url.rstrip("/")
        self.socket = websocket.create_connection(f"{url}/?token={sender['token']}", timeout=10)
        gevent.sleep(random.expovariate(1.0))

    def on_stop(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()

    @task
    def send(self) -> None:
        msg_id = uuid.uuid4().hex
        started = time.perf_counter()
        error: Exception | None = None
        try:
            self.socket.send(json.dumps({"action": "sendMessage", "conversation_id": self.room,
                                         "client_msg_id": msg_id, "body": "load test message"}))
            while True:
                frame = json.loads(self.socket.recv())
                if frame.get("client_msg_id") == msg_id:
                    if frame.get("type") != "ack":
                        error = RuntimeError(f"sendMessage answered {frame}")
                    break
        except Exception as exc:  # noqa: BLE001 - a failed send is an error of this request, not of the test
            error = exc
        events.request.fire(request_type="WS", name="WS sendMessage -> ack",
                            response_time=(time.perf_counter() - started) * 1000, response_length=0,
                            response=None, exception=error, context={"scenario": self.scenario})


class Phases(LoadTestShape):
    """Each step offers ``rate`` scenario runs per second (one user = one run per second) for its duration."""

    def tick(self) -> tuple[int, float, list[type[FastHttpUser]]] | None:
        if Seed.started is None:
            Seed.started = time.monotonic()
        elapsed = time.monotonic() - Seed.started
        for step in STEPS:
            if elapsed < step.seconds:
                users = [BrowseGigs, SignIn, *([Chat] if Seed.rooms else []),
                         *([] if Seed.apply_skipped else [Apply]), *([Pay] if Seed.milestones else [])]
                return max(1, round(step.rate)), max(1.0, step.rate), users
            elapsed -= step.seconds
        return None


