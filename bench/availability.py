"""availability: GET /api/v1/availability over 300 resources and a year of ~150,000 holds.

A scratch PostgreSQL database gets the offices and 300 resources (bench/seed.py), then a year of
bookings loaded with COPY (not through create_booking, which would take an hour): every working
day each interpreter has one or two (mostly two) bookings of 60 or 90 minutes at the office they work at that
day, most of them with a free room of that office, some by video, a few cancelled. The
generator keeps a person's bookings apart by the buffer and a room's bookings apart, so the
exclusion constraint on holds accepts every row. Then the Flask test client (in process: app,
SQLAlchemy, PostgreSQL, JSON; no HTTP server) asks for Arabic interpreters in Sofia, for an
hour, over one day and over one week, alternately.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

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
    Catalogue,
    seed_catalogue,
    today_in_sofia,
    year_of_working_days,
)
from service import create_app
from service.access.auth import issue_token
from service.booking.policy import BookingPolicy
from service.models import Hold
from service.plumbing.clock import SOFIA, sofia_instant
from service.plumbing.db import make_engine

BUFFER = BookingPolicy().buffer
DAYS_BEFORE = 120  # the year of bookings starts this many days ago
REQUESTS_PER_RUN = sized(40, 5)  # of each window
RUNS = sized(3, 1)
WARM_UP = sized(5, 1)


@dataclass
class Load:
    bookings: list[tuple[Any, ...]] = field(default_factory=list)
    holds: list[tuple[Any, ...]] = field(default_factory=list)


def _free(busy: list[tuple[datetime, datetime]], start: datetime, until: datetime) -> bool:
    return all(until <= lo or hi <= start for lo, hi in busy)


def generate(catalogue: Catalogue, days: list[date], seed: int = 11) -> Load:
    """A year of bookings that respects the buffers and never holds a resource twice."""
    rng = random.Random(seed)
    created = datetime.now(UTC)
    load = Load()
    grid = [
        (OPENS.hour * 60 + OPENS.minute) + 15 * n
        for n in range(((CLOSES.hour * 60 + CLOSES.minute) - (OPENS.hour * 60)) // 15)
    ]
    for day in days:
        rooms_busy: dict[int, list[tuple[datetime, datetime]]] = {}
        for person in rng.sample(catalogue.interpreters, len(catalogue.interpreters)):
            code = person.office_on(day)
            busy: list[tuple[datetime, datetime]] = []
            for _ in range(rng.choice((1, 2, 2, 2))):
                minutes = rng.choice((60, 60, 90))
                closes = CLOSES.hour * 60 + CLOSES.minute
                start_minute = rng.choice([m for m in grid if m + minutes <= closes])
                starts_at = sofia_instant(day, wall_time(start_minute // 60, start_minute % 60))
                ends_at = starts_at + timedelta(minutes=minutes)
                if not _free(busy, starts_at, ends_at + BUFFER):
                    continue
                busy.append((starts_at, ends_at + BUFFER))
                video = rng.random() < 0.1
                resources = [(person.id, ends_at + BUFFER)]
                if not video and rng.random() < 0.75:
                    for room in rng.sample(catalogue.rooms[code], len(catalogue.rooms[code])):
                        if _free(rooms_busy.setdefault(room, []), starts_at, ends_at):
                            rooms_busy[room].append((starts_at, ends_at))
                            resources.append((room, ends_at))
                            break
                booking_id = len(load.bookings) + 1
                cancelled = rng.random() < 0.04
                load.bookings.append(
                    (
                        booking_id,
                        "interpretation",
                        None if video else catalogue.office_ids[code],
                        "video" if video else "in_person",
                        f"https://video.example.org/{booking_id}" if video else None,
                        starts_at,
                        ends_at,
                        "cancelled" if cancelled else "confirmed",
                        False,
                        "bench loader",
                        created,
                        created,
                        1,
                    )
                )
                for resource_id, until in resources:
                    load.holds.append(
                        (booking_id, resource_id, starts_at, ends_at, until, not cancelled)
                    )
    return load


def copy_in(engine: Engine, load: Load) -> None:
    """COPY the bookings and their holds in one transaction; the constraint checks each row."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY bookings (id, type, office_id, modality, remote_link, starts_at, ends_at,"
                " status, override, created_by, created_at, updated_at, version) FROM STDIN"
            ) as copy:
                for row in load.bookings:
                    copy.write_row(row)
            with cursor.copy(
                "COPY holds (booking_id, resource_id, starts_at, ends_at, blocked_until, active)"
                " FROM STDIN"
            ) as copy:
                for row in load.holds:
                    copy.write_row(row)
            cursor.execute("SELECT setval('bookings_id_seq', (SELECT max(id) FROM bookings))")
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def windows(today: date) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Eight one-day windows (Tue-Thu) and eight one-week windows (Mon-Mon), from next week."""
    monday = today + timedelta(days=7 - today.weekday())
    days, weeks = [], []
    for n in range(8):
        week = monday + timedelta(weeks=n)
        day = week + timedelta(days=1 + n % 3)
        days.append(_query(day, day + timedelta(days=1)))
        weeks.append(_query(week, week + timedelta(days=7)))
    return days, weeks


def _query(first: date, end: date) -> dict[str, str]:
    def instant(d: date) -> str:
        return datetime.combine(d, wall_time(0), tzinfo=SOFIA).isoformat()

    return {
        "kind": "interpreter",
        "language": "ar",
        "office": "sofia",
        "start": instant(first),
        "end": instant(end),
        "duration": "60",
    }


def _timed(
    client: FlaskClient, headers: dict[str, str], query: dict[str, str]
) -> tuple[float, float]:
    """Wall and CPU (this process: Flask, SQLAlchemy, Python; not PostgreSQL) milliseconds."""
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/v1/availability?{urlencode(query)}", headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    used = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"availability answered {response.status_code}: {response.text}")
    return elapsed, used


def measure(
    client: FlaskClient, headers: dict[str, str], days: list[dict[str, str]], weeks: list[Any]
) -> dict[str, float]:
    day_ms: list[float] = []
    week_ms: list[float] = []
    day_cpu: list[float] = []
    week_cpu: list[float] = []
    for n in range(REQUESTS_PER_RUN):
        for query, wall, cpu in (
            (days[n % len(days)], day_ms, day_cpu),
            (weeks[n % len(weeks)], week_ms, week_cpu),
        ):
            elapsed, used = _timed(client, headers, query)
            wall.append(elapsed)
            cpu.append(used)
    both = day_ms + week_ms
    return {
        "p95_ms": percentile(both, 95),
        "p50_ms": percentile(both, 50),
        "day_p50_ms": percentile(day_ms, 50),
        "day_p95_ms": percentile(day_ms, 95),
        "week_p50_ms": percentile(week_ms, 50),
        "week_p95_ms": percentile(week_ms, 95),
        "day_cpu_p50_ms": percentile(day_cpu, 50),
        "week_cpu_p50_ms": percentile(week_cpu, 50),
    }


def run() -> Result:
    result = Result("availability")
    with scratch_database("zapis_bench_availability") as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                catalogue = seed_catalogue(session)
                _token, secret = issue_token(session, name="bench admin", role="admin")
                session.commit()
            result.machine = describe_machine(engine)
            today = today_in_sofia()
            first = today - timedelta(days=DAYS_BEFORE)
            year = year_of_working_days(first)
            began = time.perf_counter()
            load = generate(catalogue, year)
            generated = time.perf_counter() - began
            copy_in(engine, load)
            loaded = time.perf_counter() - began - generated
            with Session(engine) as session:
                holds = session.scalar(select(func.count()).select_from(Hold)) or 0
                active = session.scalar(select(func.count()).where(Hold.active.is_(True))) or 0
        finally:
            engine.dispose()
        print(
            f"  availability: {len(load.bookings)} bookings, {holds} holds "
            f"(generated in {generated:.1f} s, copied in {loaded:.1f} s)",
            flush=True,
        )
        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        days, weeks = windows(today)
        shape = _shape(client, headers, days[0], weeks[0])
        for n in range(WARM_UP):
            _timed(client, headers, days[n % len(days)])
            _timed(client, headers, weeks[n % len(weeks)])
        runs = []
        load_before = load_average()
        for _ in range(RUNS):
            figures = measure(client, headers, days, weeks)
            runs.append(figures)
            print("  availability: " + _line(figures), flush=True)
        load_after = load_average()
        app.extensions["zapis.engine"].dispose()
    result.add("availability_p95_ms", median_of(runs, "p95_ms"), "ms", "< 10")
    result.add("availability_p50_ms", median_of(runs, "p50_ms"), "ms")
    for name in (
        "day_p50_ms",
        "day_p95_ms",
        "week_p50_ms",
        "week_p95_ms",
        "day_cpu_p50_ms",
        "week_cpu_p50_ms",
    ):
        result.add(f"availability_{name}", median_of(runs, name), "ms")
    result.add("availability_holds", holds, "count", "about 150000")
    result.note(
        f"Scratch PostgreSQL database: 3 offices, {catalogue.resource_count} resources "
        f"({len(catalogue.interpreters)} interpreters, "
        f"{sum(map(len, catalogue.rooms.values()))} rooms), {len(load.bookings)} bookings over "
        f"{len(year)} working days from {year[0]} to {year[-1]} with {holds} holds "
        f"({active} active), loaded with COPY in {loaded:.1f} s. Query: "
        "GET /api/v1/availability?kind=interpreter&language=ar&office=sofia&duration=60 "
        f"through the Flask test client (in process, no HTTP server): {shape}. "
        f"{REQUESTS_PER_RUN} one-day and {REQUESTS_PER_RUN} one-week requests per run, "
        f"alternating, over 8 different days and weeks from next week; {RUNS} runs after "
        f"{WARM_UP} warm-up pairs; availability_p95_ms is the p95 over both windows of a "
        "run (day and week separately beside it); each metric is the median of the runs."
    )
    result.note(
        "The *_cpu_* metrics are the CPU time of the bench process (Flask, SQLAlchemy, the "
        "slot search, JSON; PostgreSQL's share excluded): less sensitive to other load."
    )
    note_load_and_runs(result, load_before, load_after, [_line(f) for f in runs])
    return result


def _shape(
    client: FlaskClient, headers: dict[str, str], day: dict[str, str], week: dict[str, str]
) -> str:
    parts = []
    for label, query in (("one day", day), ("one week", week)):
        body = client.get(f"/api/v1/availability?{urlencode(query)}", headers=headers).get_json()
        slots = sum(len(r["slots"]) for r in body)
        parts.append(f"{label} answers {len(body)} resources and {slots} slots")
    return ", ".join(parts)


def _line(f: dict[str, float]) -> str:
    return (
        f"p95 {f['p95_ms']:.1f} ms (day p50 {f['day_p50_ms']:.1f} / p95 {f['day_p95_ms']:.1f}, "
        f"week p50 {f['week_p50_ms']:.1f} / p95 {f['week_p95_ms']:.1f}; CPU p50 day "
        f"{f['day_cpu_p50_ms']:.1f}, week {f['week_cpu_p50_ms']:.1f})"
    )
