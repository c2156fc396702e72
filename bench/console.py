"""console: server time to render an office's week board (/console/board) with the demo data.

A scratch PostgreSQL database gets `service.demo.demo.seed_demo` (three offices, people and rooms,
bookings from a week ago to four weeks ahead) and a coordinator account of all three offices
(`accounts.create_user`). The Flask test client (in process: app, SQLAlchemy, PostgreSQL,
Jinja; no HTTP server) signs in through /console/login with the CSRF token of the form, then
asks for the Sofia week board of this week and of the next one, alternately, many times. The
time is the wall time of the request in this process, with its CPU time beside it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
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
from bench.seed import today_in_sofia
from service import create_app
from service.access.accounts import create_user
from service.demo.demo import seed_demo
from service.models import Booking
from service.plumbing.db import make_engine

EMAIL = "bench.coordinator@example.org"
PASSWORD = "bench-coordinator-password-1"
OFFICE = "sofia"
REQUESTS_PER_RUN = sized(100, 5)
RUNS = sized(3, 1)
WARM_UP = sized(10, 1)
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def sign_in(client: FlaskClient) -> None:
    """Sign in as a user does: read the form's CSRF token, post the form, follow nothing."""
    form = client.get("/console/login")
    found = CSRF.search(form.get_data(as_text=True))
    if found is None:
        raise RuntimeError("No CSRF token in the login form.")
    token = found.group(1) or found.group(2)
    answer = client.post(
        "/console/login",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
    )
    if answer.status_code != 302 or "/console/login" in answer.headers.get("Location", ""):
        raise RuntimeError(
            f"Sign-in failed: {answer.status_code} {answer.get_data(as_text=True)[:300]}"
        )


def timed(client: FlaskClient, path: str) -> tuple[float, float, int]:
    """Wall and CPU milliseconds (this process; PostgreSQL excluded) and the page's size."""
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    body = response.get_data()
    elapsed = (time.perf_counter() - began) * 1000
    used = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {body[:300]!r}")
    return elapsed, used, len(body)


def measure(client: FlaskClient, paths: list[str]) -> dict[str, float]:
    wall: list[float] = []
    cpu: list[float] = []
    for n in range(REQUESTS_PER_RUN):
        elapsed, used, _size = timed(client, paths[n % len(paths)])
        wall.append(elapsed)
        cpu.append(used)
    return {
        "p50_ms": percentile(wall, 50),
        "p95_ms": percentile(wall, 95),
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p95_ms": percentile(cpu, 95),
    }


def run() -> Result:
    result = Result("console")
    with scratch_database("zapis_bench_console") as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                summary = seed_demo(session)
                create_user(
                    session,
                    email=EMAIL,
                    password=PASSWORD,
                    role="coordinator",
                    offices=["sofia", "burgas", "harmanli"],
                )
                session.commit()
                bookings = session.scalar(select(func.count()).select_from(Booking)) or 0
            result.machine = describe_machine(engine)
        finally:
            engine.dispose()
        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        sign_in(client)
        today = today_in_sofia()
        monday = today - timedelta(days=today.weekday())
        weeks = [monday, monday + timedelta(days=7)]
        paths = [f"/console/board?office={OFFICE}&week={w.isoformat()}" for w in weeks]
        sizes = [timed(client, path)[2] for path in paths]
        for n in range(WARM_UP):
            timed(client, paths[n % len(paths)])
        runs = []
        load_before = load_average()
        for _ in range(RUNS):
            figures = measure(client, paths)
            runs.append(figures)
            print("  console: " + _line(figures), flush=True)
        load_after = load_average()
        app.extensions["zapis.engine"].dispose()
    result.add("console_week_board_ms", median_of(runs, "p50_ms"), "ms", "< 150")
    result.add("console_week_board_p95_ms", median_of(runs, "p95_ms"), "ms")
    result.add("console_week_board_cpu_ms", median_of(runs, "cpu_p50_ms"), "ms")
    result.add("console_week_board_cpu_p95_ms", median_of(runs, "cpu_p95_ms"), "ms")
    result.note(
        f"Scratch PostgreSQL database with the demo data (service.demo.demo.seed_demo: {summary.strip()}; "
        f"{bookings} bookings from a week ago to four weeks ahead) and a coordinator of the "
        "three offices made with accounts.create_user, signed in through /console/login with "
        "the form's CSRF token. GET /console/board?office=sofia&week=... through the Flask "
        "test client (in process, no HTTP server: routing, session check, queries, Jinja), "
        f"this week ({weeks[0]}, {sizes[0]} bytes) and next week ({weeks[1]}, {sizes[1]} bytes) "
        f"alternately; {RUNS} runs of {REQUESTS_PER_RUN} requests after {WARM_UP} warm-up "
        "requests. console_week_board_ms is the p50 of the wall time of a request, "
        "console_week_board_p95_ms its p95; the *_cpu_* metrics are the CPU time of the "
        "bench process per request (PostgreSQL excluded), less sensitive to other load. "
        "Each metric is the median of the runs."
    )
    note_load_and_runs(result, load_before, load_after, [_line(f) for f in runs])
    return result


def _line(f: dict[str, float]) -> str:
    return (
        f"p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms "
        f"(CPU p50 {f['cpu_p50_ms']:.1f}, p95 {f['cpu_p95_ms']:.1f})"
    )
