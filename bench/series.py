"""series: plan (dry run) and commit a twelve-week, twice-weekly series against a year of bookings.

The scratch database gets the offices and 300 resources (bench/seed.py), a few teachers, and the
year of ~90,000 bookings and ~150,000 holds that bench/availability.py loads with COPY. Then the
Flask test client (in process: app, SQLAlchemy, PostgreSQL, JSON; no HTTP server) posts a
series `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24`, Mondays and Wednesdays 10:00-12:00 in Sofia from
next Monday, with three resources: a teacher, a Sofia room and a Sofia interpreter.

* `series_dry_run_ms`: POST /api/v1/series?dry_run=true with a teacher, and the room and the
  interpreter of the loaded data that are least busy at those times (so the plan is realistic:
  mostly free, a few clashes). Writes nothing.
* `series_commit_ms`: the same series without dry_run, each time with a fresh teacher, room and
  interpreter (made before the request, not timed), so every occurrence is free and it commits.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.availability import DAYS_BEFORE, copy_in, generate
from bench.common import (
    Result,
    describe_machine,
    load_average,
    median_of,
    note_load_and_runs,
    percentile,
    scratch_database,
    sized,
)
from bench.seed import (
    CLOSES,
    OPENS,
    WEEKDAYS,
    seed_catalogue,
    today_in_sofia,
    year_of_working_days,
)
from service import create_app
from service.access.auth import issue_token
from service.booking.policy import BookingPolicy
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.models import Hold
from service.plumbing.clock import sofia_instant, to_sofia
from service.plumbing.db import make_engine

RRULE = "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24"
STARTS, MINUTES = wall_time(10), 120
TEACHERS = 10
DRY_RUNS_PER_RUN = sized(30, 3)
COMMITS_PER_RUN = sized(5, 1)
RUNS = sized(3, 1)
WARM_UP = sized(3, 1)
BUFFER = BookingPolicy().buffer


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def occurrence_spans(first: date) -> list[tuple[datetime, datetime]]:
    """The 24 Mondays and Wednesdays of the rule (holidays included: only to pick resources)."""
    spans = []
    for week in range(12):
        for weekday in (0, 2):
            day = first + timedelta(weeks=week, days=weekday)
            start = sofia_instant(day, STARTS)
            spans.append((start, start + timedelta(minutes=MINUTES)))
    return spans


def body(first: date, resource_ids: list[int]) -> dict[str, Any]:
    start = sofia_instant(first, STARTS)
    return {
        "type": "language_class",
        "office": "sofia",
        "title": "Bulgarian A1 (bench)",
        "rrule": RRULE,
        "starts_at": to_sofia(start).isoformat(),
        "ends_at": to_sofia(start + timedelta(minutes=MINUTES)).isoformat(),
        "resource_ids": resource_ids,
        "capacity": 12,
    }


def add_teacher(session: Session, name: str) -> int:
    hours = [HoursSpec("sofia", d, OPENS, CLOSES) for d in WEEKDAYS]
    spec = ResourceSpec(
        kind="teacher",
        name=name,
        offices=["sofia"],
        languages=["bg"],
        working_hours=hours,
        locale="bg",
    )
    return create_resource(session, spec).id


def add_fresh(session: Session, n: int) -> list[int]:
    """A new teacher, Sofia room and Sofia interpreter, free at every time."""
    teacher = add_teacher(session, f"Bench fresh teacher {n}")
    room = create_resource(
        session,
        ResourceSpec(kind="room", name=f"Sofia fresh room {n}", office="sofia", capacity=14),
    ).id
    interpreter = create_resource(
        session,
        ResourceSpec(
            kind="interpreter",
            name=f"Bench fresh interpreter {n} (ar)",
            offices=["sofia"],
            languages=["ar", "bg"],
            modalities=["in_person", "phone", "video"],
            working_hours=[HoursSpec("sofia", d, OPENS, CLOSES) for d in WEEKDAYS],
            locale="bg",
        ),
    ).id
    return [teacher, room, interpreter]


def least_busy(
    engine: Engine, candidates: list[int], spans: list[tuple[datetime, datetime]]
) -> tuple[int, int]:
    """The candidate with the fewest active holds clashing with the spans, and that count."""
    with Session(engine) as session:
        rows = session.execute(
            select(Hold.resource_id, Hold.starts_at, Hold.blocked_until).where(
                Hold.active.is_(True),
                Hold.resource_id.in_(candidates),
                Hold.starts_at < spans[-1][1] + BUFFER,
                Hold.blocked_until > spans[0][0] - BUFFER,
            )
        ).all()
    clashes: Counter[int] = Counter({c: 0 for c in candidates})
    for resource_id, starts_at, blocked_until in rows:
        for start, end in spans:
            if starts_at < end + BUFFER and blocked_until > start:
                clashes[resource_id] += 1
    best = min(candidates, key=lambda c: (clashes[c], c))
    return best, clashes[best]


def timed(
    client: FlaskClient, headers: dict[str, str], query: str, payload: Any
) -> tuple[float, float, Any]:
    began, cpu = time.perf_counter(), time.process_time()
    response = client.post(f"/api/v1/series{query}", json=payload, headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    used = (time.process_time() - cpu) * 1000
    expected = 200 if "dry_run" in query else 201
    if response.status_code != expected:
        raise RuntimeError(f"series{query} answered {response.status_code}: {response.text[:500]}")
    return elapsed, used, response.get_json()


def run() -> Result:
    result = Result("series")
    with scratch_database("zapis_bench_series") as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                catalogue = seed_catalogue(session)
                classroom = create_resource(
                    session,
                    ResourceSpec(kind="room", name="Sofia classroom", office="sofia", capacity=14),
                ).id  # not in catalogue.rooms, so the loader leaves it to the classes
                teachers = [
                    add_teacher(session, f"Bench teacher {n:02d}") for n in range(1, TEACHERS + 1)
                ]
                _token, secret = issue_token(session, name="bench admin", role="admin")
                session.commit()
            result.machine = describe_machine(engine)
            today = today_in_sofia()
            first_day = today - timedelta(days=DAYS_BEFORE)
            year = year_of_working_days(first_day)
            began = time.perf_counter()
            load = generate(catalogue, year)
            copy_in(engine, load)
            loaded = time.perf_counter() - began
            with Session(engine) as session:
                holds = session.scalar(select(func.count()).select_from(Hold)) or 0
            first = next_monday(today)
            spans = occurrence_spans(first)
            room, room_clashes = least_busy(engine, [classroom, *catalogue.rooms["sofia"]], spans)
            sofia_people = [i.id for i in catalogue.interpreters if i.offices == ["sofia"]]
            interpreter, interpreter_clashes = least_busy(engine, sofia_people, spans)
            fresh = []
            with Session(engine) as session:
                for n in range(WARM_UP + RUNS * COMMITS_PER_RUN):
                    fresh.append(add_fresh(session, n))
                session.commit()
        finally:
            engine.dispose()
        print(
            f"  series: {len(load.bookings)} bookings, {holds} holds loaded in {loaded:.1f} s; "
            f"room {room} ({room_clashes} clashes), interpreter {interpreter} "
            f"({interpreter_clashes} clashes)",
            flush=True,
        )
        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        dry_body = body(first, [teachers[0], room, interpreter])
        _wall, _cpu, plan = timed(client, headers, "?dry_run=true", dry_body)
        shape = _plan_shape(plan)
        for _ in range(WARM_UP):
            timed(client, headers, "?dry_run=true", dry_body)
        spare = iter(fresh)
        for _ in range(WARM_UP):
            timed(client, headers, "", body(first, next(spare)))
        runs = []
        load_before = load_average()
        for _ in range(RUNS):
            dry = [
                timed(client, headers, "?dry_run=true", dry_body)[:2]
                for _ in range(DRY_RUNS_PER_RUN)
            ]
            commits = [
                timed(client, headers, "", body(first, next(spare)))[:2]
                for _ in range(COMMITS_PER_RUN)
            ]
            figures = {
                "dry_p50_ms": percentile([w for w, _ in dry], 50),
                "dry_p95_ms": percentile([w for w, _ in dry], 95),
                "dry_cpu_p50_ms": percentile([c for _, c in dry], 50),
                "commit_p50_ms": percentile([w for w, _ in commits], 50),
                "commit_max_ms": max(w for w, _ in commits),
                "commit_cpu_p50_ms": percentile([c for _, c in commits], 50),
            }
            runs.append(figures)
            print("  series: " + _line(figures), flush=True)
        load_after = load_average()
        app.extensions["zapis.engine"].dispose()
    result.add("series_dry_run_ms", median_of(runs, "dry_p50_ms"), "ms", "< 200")
    result.add("series_dry_run_p95_ms", median_of(runs, "dry_p95_ms"), "ms")
    result.add("series_dry_run_cpu_ms", median_of(runs, "dry_cpu_p50_ms"), "ms")
    result.add("series_commit_ms", median_of(runs, "commit_p50_ms"), "ms", "< 150")
    result.add("series_commit_cpu_ms", median_of(runs, "commit_cpu_p50_ms"), "ms")
    result.note(
        f"Scratch PostgreSQL database: 3 offices, {catalogue.resource_count} resources of "
        f"bench/seed.py plus {TEACHERS} Sofia teachers, and the year of bench/availability.py "
        f"({len(load.bookings)} bookings from {year[0]} to {year[-1]}, {holds} holds, "
        f"generated and loaded with COPY in {loaded:.1f} s; the loader books interpreters and "
        "rooms, not teachers). Request: POST /api/v1/series through the Flask test client (in "
        f"process, no HTTP server), type language_class, office sofia, rrule {RRULE}, "
        f"10:00-12:00 Sofia time from {first}. Dry run: a teacher, the Sofia room and the "
        "Sofia-only interpreter with the fewest holds at those times (the rooms of "
        "bench/seed.py are booked about six times a day each, so the room is a Sofia "
        "classroom the loader does not book; the interpreter has bookings every day) "
        f"(room {room}: {room_clashes}, interpreter {interpreter}: {interpreter_clashes} "
        f"clashing holds over the 24 dates); {shape}. Commit: the same series with a fresh "
        "teacher, room and interpreter each time (made before, not timed), so every "
        "occurrence is booked (24 bookings, 72 holds, feed pieces, audit) in one transaction. "
        f"{RUNS} runs of {DRY_RUNS_PER_RUN} dry runs and {COMMITS_PER_RUN} commits after "
        f"{WARM_UP} warm-up requests of each; *_ms are the p50 of a run (dry run p95 beside "
        "it), *_cpu_ms the CPU time of the bench process per request (PostgreSQL excluded), "
        "each metric the median of the runs."
    )
    note_load_and_runs(result, load_before, load_after, [_line(f) for f in runs])
    return result


def _plan_shape(plan: dict[str, Any]) -> str:
    occurrences = plan.get("occurrences", [])
    clashing = sum(1 for o in occurrences if o.get("clashes"))
    skipped = len(plan.get("skipped", []))
    return (
        f"the plan has {len(occurrences)} occurrences ({clashing} with clashes) and "
        f"{skipped} skipped dates"
    )


def _line(f: dict[str, float]) -> str:
    return (
        f"dry run p50 {f['dry_p50_ms']:.1f} ms, p95 {f['dry_p95_ms']:.1f} ms (CPU p50 "
        f"{f['dry_cpu_p50_ms']:.1f}); commit p50 {f['commit_p50_ms']:.1f} ms, max "
        f"{f['commit_max_ms']:.1f} ms (CPU p50 {f['commit_cpu_p50_ms']:.1f})"
    )
