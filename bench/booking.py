"""booking: POST /api/v1/bookings over HTTP (gunicorn, PostgreSQL) with 1 and 16 clients.

A scratch database gets the offices, 300 resources (240 interpreters, 60 rooms) and
BENEFICIARIES beneficiaries with SMS consent. Every client books an interpreter with a room of
the interpreter's office for an hour for one of them (so each booking queues a confirmation
and its reminders, as the service is used), on its own share of the resources, so that its
bookings never collide with another client's. Every tenth request is
a deliberate conflict: with one client, a repeat of one of its own earlier bookings (always a
409); with several, alternately such a repeat and a booking of a room that every client tries
to book at the same moment (one 201 per slot, 409 for the others). A 201 for a repeat, or two
201s for one contested slot, would be a double booking: the run counts them (it must be 0).

`booking_statements_per_create` counts, with a `before_cursor_execute` listener, the SQL
statements the service sends for STATEMENT_CREATES such creates made in process (Flask test
client, same database); BEGIN and COMMIT are not statements there (psycopg sends them itself).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as wall_time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.common import (
    GunicornConfig,
    Result,
    Server,
    describe_machine,
    gunicorn,
    load_average,
    median_of,
    percentile,
    scratch_database,
    sized,
    tree_is_dirty,
)
from bench.seed import OFFICE_CODES, Catalogue, seed_catalogue, today_in_sofia, working_days
from service import create_app
from service.access.auth import issue_token
from service.demo.demo import INTERPRETER_LANGUAGES
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.plumbing.clock import sofia_instant, to_sofia
from service.plumbing.db import make_engine

# Hour-long bookings a person can take back to back: an hour plus the 15-minute buffer apart.
TIMES = [wall_time(9), wall_time(10, 15), wall_time(11, 30), wall_time(12, 45)]
TIMES += [wall_time(14), wall_time(15, 15), wall_time(16, 30)]
CONFLICT_EVERY = 10
REQUESTS = sized({1: 1000, 16: 4000}, {1: 40, 16: 160})  # per run, shared by the clients
DEADLINE_S = sized(20.0, 10.0)  # a run stops sooner if it reaches this
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
BLOCK_DAYS = 14  # working days set aside for each run, so runs never collide
DEFAULT_SERVER = "gthread:2x8"  # see bench/README.md for the sweep
BENEFICIARIES = 64  # with SMS consent, in every office; bookings take them in turn
STATEMENT_CREATES = sized(50, 10)


@dataclass(frozen=True)
class Attempt:
    kind: str  # "new", "repeat" or "contested"
    key: tuple[Any, ...]
    body: bytes


@dataclass
class Outcome:
    kind: str
    key: tuple[Any, ...]
    status: int
    seconds: float


def _body(
    office: str,
    day: date,
    start: wall_time,
    resource_ids: list[int],
    kind: str,
    beneficiary_id: int,
) -> bytes:
    starts_at = sofia_instant(day, start)
    return json.dumps(
        {
            "type": "interpretation" if kind != "contested" else "info_session",
            "office": office,
            "starts_at": to_sofia(starts_at).isoformat(),
            "ends_at": to_sofia(starts_at + timedelta(hours=1)).isoformat(),
            "resource_ids": resource_ids,
            "beneficiary_ids": [beneficiary_id],
            "notes": "bench",
        }
    ).encode()


@dataclass
class Shares:
    """Who may book what: interpreters of one office only, and that office's rooms."""

    interpreters: dict[str, list[int]]
    rooms: dict[str, list[int]]
    contested_rooms: dict[str, int]
    beneficiaries: list[int]

    def beneficiary(self, n: int) -> int:
        return self.beneficiaries[n % len(self.beneficiaries)]

    @classmethod
    def of(cls, catalogue: Catalogue, beneficiaries: list[int]) -> Shares:
        interpreters = {
            code: [i.id for i in catalogue.interpreters if i.offices == [code]]
            for code in OFFICE_CODES
        }
        rooms = {code: catalogue.rooms[code][1:] for code in OFFICE_CODES}
        contested = {code: catalogue.rooms[code][0] for code in OFFICE_CODES}
        return cls(interpreters, rooms, contested, beneficiaries)


def own_slots(shares: Shares, days: list[date], client: int, clients: int) -> Iterator[Attempt]:
    """The bookings client `client` of `clients` may make without touching another's."""
    n = 0
    for day in days:
        for start in TIMES:
            for code in OFFICE_CODES:
                people = shares.interpreters[code][client::clients]
                rooms = shares.rooms[code][client::clients]
                for person, room in zip(people, rooms, strict=False):
                    key = (day, start, person, room)
                    who = shares.beneficiary(client + n * clients)
                    n += 1
                    yield Attempt("new", key, _body(code, day, start, [person, room], "new", who))


def contested_slots(shares: Shares, days: list[date]) -> list[Attempt]:
    """Room bookings every client tries in the same order: one wins each."""
    return [
        Attempt(
            "contested",
            (day, start, room),
            _body(code, day, start, [room], "contested", shares.beneficiary(room)),
        )
        for day in days
        for start in TIMES
        for code, room in shares.contested_rooms.items()
    ]


@dataclass(eq=False)
class Client(threading.Thread):
    port: int
    token: str
    slots: Iterator[Attempt]
    contested: list[Attempt]
    budget: int
    clients: int
    start_gate: threading.Barrier
    deadline: list[float]
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        created: list[Attempt] = []
        conflicts = 0
        self.start_gate.wait()
        for n in range(self.budget):
            if time.perf_counter() > self.deadline[0]:
                break
            attempt: Attempt | None
            if n % CONFLICT_EVERY == CONFLICT_EVERY - 1 and created:
                conflicts += 1
                if self.clients > 1 and conflicts % 2 == 0:
                    attempt = self.contested[conflicts // 2 - 1]
                else:
                    earlier = created[(conflicts * 7) % len(created)]
                    attempt = Attempt("repeat", earlier.key, earlier.body)
            else:
                attempt = next(self.slots, None)
                if attempt is None:
                    break
            began = time.perf_counter()
            connection.request("POST", "/api/v1/bookings", attempt.body, headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            self.outcomes.append(Outcome(attempt.kind, attempt.key, response.status, elapsed))
            if response.status == 201 and attempt.kind == "new":
                created.append(attempt)
        connection.close()


def drive(
    server: Server,
    token: str,
    shares: Shares,
    days: list[date],
    contested_days: list[date],
    n: int,
) -> dict[str, float]:
    """One run: `n` clients share REQUESTS[n] requests (or DEADLINE_S); return its figures."""
    contested = contested_slots(shares, contested_days)
    gate = threading.Barrier(n + 1)
    deadline = [float("inf")]
    clients = [
        Client(
            server.port,
            token,
            own_slots(shares, days, c, n),
            contested,
            REQUESTS.get(n, 250 * n) // n,
            n,
            gate,
            deadline,
        )
        for c in range(n)
    ]
    for client in clients:
        client.start()
    cpu = server.cpu_seconds()
    began = time.perf_counter()
    deadline[0] = began + DEADLINE_S
    gate.wait()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - began
    cpu = server.cpu_seconds() - cpu
    outcomes = [o for client in clients for o in client.outcomes]
    figures = summarise(outcomes, elapsed)
    figures["server_cpu_ms"] = cpu * 1000 / max(len(outcomes), 1)
    return figures


def summarise(outcomes: list[Outcome], elapsed: float) -> dict[str, float]:
    created = [o.seconds * 1000 for o in outcomes if o.status == 201]
    refused = [o.seconds * 1000 for o in outcomes if o.status == 409]
    statuses = Counter(o.status for o in outcomes)
    wins = Counter(o.key for o in outcomes if o.kind == "contested" and o.status == 201)
    double = sum(1 for o in outcomes if o.kind == "repeat" and o.status == 201)
    double += sum(count - 1 for count in wins.values() if count > 1)
    return {
        "requests": len(outcomes),
        "created": len(created),
        "conflicts": statuses[409],
        "errors": len(outcomes) - statuses[201] - statuses[409],
        "double_bookings": double,
        "seconds": elapsed,
        "rps": len(created) / elapsed,
        "requests_per_s": len(outcomes) / elapsed,
        "p50_ms": percentile(created, 50) if created else float("nan"),
        "p95_ms": percentile(created, 95) if created else float("nan"),
        "p99_ms": percentile(created, 99) if created else float("nan"),
        "p95_409_ms": percentile(refused, 95) if refused else float("nan"),
    }


SPOKEN = sorted({code for languages in INTERPRETER_LANGUAGES for code in languages})


def _prepare(url: str) -> tuple[Catalogue, list[int], str, str]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            catalogue = seed_catalogue(session)
            beneficiaries = [
                register_beneficiary(
                    session,
                    BeneficiaryRequest(
                        case_reference=f"BENCH-{n:04d}",
                        language=("ar", "fa", "uk", "bg")[n % 4],
                        # speaks every interpreter's language, so each booking passes the
                        # language rule (and measures its check) whichever interpreter it takes
                        other_languages=SPOKEN,
                        phone=f"+35988{1000000 + n:07d}",
                        sms_consent=True,
                        offices=OFFICE_CODES,
                    ),
                ).id
                for n in range(BENEFICIARIES)
            ]
            _token, secret = issue_token(session, name="bench admin", role="admin")
            session.commit()
        return catalogue, beneficiaries, secret, describe_machine(engine)
    finally:
        engine.dispose()


def count_statements(url: str, token: str, attempts: list[Attempt]) -> tuple[float, list[str]]:
    """Create bookings in process, counting the statements each sends; return the mean count
    and the statements of the last create (their first words)."""
    app = create_app({"DATABASE_URL": url})
    logging.getLogger("zapis.access").setLevel(logging.WARNING)  # one line per request
    engine = app.extensions["zapis.engine"]
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()[:6]))

    client: FlaskClient = app.test_client()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    client.get("/health")  # connects and warms up outside the count
    counts: list[int] = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for attempt in attempts:
            sent.clear()
            response = client.post("/api/v1/bookings", data=attempt.body, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"A create answered {response.status_code}: {response.text}")
            counts.append(len(sent))
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    return sum(counts) / len(counts), list(sent)


def run() -> Result:
    result = Result("booking")
    config = GunicornConfig.parse(os.environ.get("BENCH_GUNICORN", DEFAULT_SERVER))
    with scratch_database("zapis_bench_booking") as url:
        catalogue, beneficiaries, token, result.machine = _prepare(url)
        shares = Shares.of(catalogue, beneficiaries)
        count = 2 * (1 + 2 * REPEATS) + 1
        blocks = working_days(today_in_sofia() + timedelta(days=7), BLOCK_DAYS * count)
        block = iter(blocks[i : i + BLOCK_DAYS] for i in range(0, len(blocks), BLOCK_DAYS))
        runs: dict[int, list[dict[str, float]]] = {1: [], 16: []}
        load_before = load_average()
        with gunicorn(url, config) as server:
            warm = drive(server, token, shares, next(block), next(block), 16)
            for _ in range(REPEATS):
                for n in runs:
                    figures = drive(server, token, shares, next(block), next(block), n)
                    runs[n].append(figures)
                    print(f"  booking, {n:2d} clients: " + _line(figures), flush=True)
        load = f"before {load_before}, after {load_average()}"
        own = own_slots(shares, next(block), 0, 1)
        statements, last = count_statements(
            url, token, [next(own) for _ in range(STATEMENT_CREATES)]
        )
    _report(result, runs, warm, config, catalogue)
    result.add("booking_statements_per_create", statements, "count", "<= 8")
    result.note(
        f"booking_statements_per_create: the mean over {STATEMENT_CREATES} creates in process "
        "(before_cursor_execute; the connection pool's pre-ping is not counted). The last "
        "create sent: " + "; ".join(last) + "."
    )
    result.note(f"Load average (1/5/15 min) of the shared machine {load}.")
    return result


def _line(f: dict[str, float]) -> str:
    return (
        f"{f['created']:.0f} created, {f['conflicts']:.0f} x 409, {f['errors']:.0f} errors "
        f"in {f['seconds']:.1f} s: {f['rps']:.0f}/s, p50 {f['p50_ms']:.1f} ms, "
        f"p95 {f['p95_ms']:.1f} ms, gunicorn CPU {f['server_cpu_ms']:.1f} ms/request"
    )


def _report(
    result: Result,
    runs: dict[int, list[dict[str, float]]],
    warm: dict[str, float],
    config: GunicornConfig,
    catalogue: Catalogue,
) -> None:
    for n, figures in runs.items():
        target_rps = ">= 300" if n == 16 else "—"
        target_p95 = "< 8" if n == 1 else "—"
        result.add(f"booking_create_rps_{n}", median_of(figures, "rps"), "1/s", target_rps)
        result.add(f"booking_create_p95_ms_{n}", median_of(figures, "p95_ms"), "ms", target_p95)
        result.add(f"booking_create_p50_ms_{n}", median_of(figures, "p50_ms"), "ms")
        result.add(
            f"booking_server_cpu_ms_per_request_{n}", median_of(figures, "server_cpu_ms"), "ms"
        )
        result.add(f"booking_conflicts_seen_{n}", int(median_of(figures, "conflicts")), "count")
        result.add(f"booking_errors_{n}", int(max(f["errors"] for f in figures)), "count", "0")
        result.add(
            f"booking_double_bookings_{n}",
            int(max(f["double_bookings"] for f in figures)),
            "count",
            "0",
        )
    result.note(
        f"Scratch PostgreSQL database with 3 offices and {catalogue.resource_count} resources "
        f"({len(catalogue.interpreters)} interpreters, "
        f"{sum(map(len, catalogue.rooms.values()))} rooms); each booking holds an interpreter "
        "and a room for an hour for one of "
        f"{BENEFICIARIES} beneficiaries with SMS consent (a confirmation and reminders "
        "queued each time). Server: "
        f"{config.describe()} on 127.0.0.1 (chosen after two sweeps of sync 2/4/6 and "
        "gthread 2x4/2x8/3x6/4x4 workers on this machine, where 2x8 served 16 clients best: "
        "see bench/README.md). Load generator: threads in the bench process, "
        "one http.client connection each, on the same 2 cores as gunicorn and PostgreSQL. "
        f"Each run: {REQUESTS[1]} requests (1 client) or {REQUESTS[16]} shared by 16 clients, "
        f"at most {DEADLINE_S:.0f} s; every {CONFLICT_EVERY}th request is a deliberate "
        "conflict (a repeat of the client's own booking; with 16 clients every other one is "
        "a room all clients race for). rps counts 201s per second of wall time; p50/p95 are "
        "over the 201s (409s are answered before any insert and are faster). "
        "booking_server_cpu_ms_per_request_N is the CPU time of the gunicorn processes per "
        "request (PostgreSQL and the load generator excluded), less sensitive to other load. "
        f"Warm-up run of 16 clients first (not counted), then {REPEATS} runs of each; "
        "metrics are the median of the runs."
    )
    for n, figures in runs.items():
        result.note(f"Runs with {n} client(s): " + "; ".join(_line(f) for f in figures) + ".")
    result.note(f"Warm-up: {_line(warm)}.")
    if tree_is_dirty():
        result.note("The working tree had uncommitted changes when this ran.")
