"""feeds: an office feed of 10,000 events over HTTP, cold after a change and 304, against Radicale.

A scratch PostgreSQL database gets the offices and 300 resources (bench/seed.py) and 9,999
in-person Sofia bookings of bench/availability.py's generator (the days from two months ago on,
inside the feed's default window of 90 days back and 365 ahead), loaded with COPY; their stored
feed pieces are then built with the service's own `rebuild_all` (what `flask rebuild-feeds`
runs), timed as `feed_rebuild_s_10k`. Then gunicorn serves the tree on loopback, one more
booking (an info session in a room of its own) is made through the API, so the Sofia feed has
10,000 events, and the feed URL comes from POST /api/v1/feeds (scope office, privacy full).

* `feed_cold_ms_10k`: the first GET of the feed after a change: each repetition reschedules
  that booking through the API (10:00 <-> 11:00, so the count stays 10,000), then GETs the
  whole feed (a new ETag each time). p50 of the repetitions.
* `feed_304_ms`: GET with If-None-Match of the current ETag, answered 304; p50 (p95 beside).
* `radicale_get_ms_10k`: Radicale (from PyPI) on loopback with its own temporary storage and no
  authentication; the calendar is made by one PUT of the feed just fetched (a whole VCALENDAR)
  to the collection URL, then the whole collection is fetched with GET; p50 of the GETs.
* `feed_vs_radicale_ratio`: radicale_get_ms_10k / feed_cold_ms_10k.

The client is http.client with one keep-alive connection per server, in this process.
"""

from __future__ import annotations

import base64
import http.client
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bench.availability import Load, copy_in, generate
from bench.common import (
    GunicornConfig,
    Result,
    Server,
    _children,
    _process_cpu,
    describe_machine,
    free_port,
    gunicorn,
    load_average,
    median_of,
    percentile,
    scratch_database,
    sized,
    tree_is_dirty,
)
from bench.seed import seed_catalogue, today_in_sofia, working_days
from service.access.auth import issue_token
from service.directory.catalogue import ResourceSpec, create_resource
from service.feeds import rebuild_all
from service.models import FeedPiece
from service.plumbing.clock import sofia_instant, to_sofia
from service.plumbing.db import make_engine

EVENTS = sized(10_000, 300)
COLD_REPEATS = int(os.environ.get("BENCH_FEED_REPEATS", "15"))
CONDITIONAL_REPEATS = sized(300, 20)
RUNS = sized(3, 1)
RADICALE_GETS = sized(5, 2)
RADICALE_TIMEOUT = 420.0  # seconds a Radicale request may take before it is given up
DEFAULT_SERVER = "gthread:2x8"
USER = "bench"
# The benchmark polls one feed about a thousand times a minute; the service's per-feed limit
# (FEED_RATE_LIMIT, 30 a minute) is for calendar clients, so the benchmark's app raises it.
APP_SETTINGS = {"FEED_RATE_LIMIT": "100000 per minute"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    ms: float
    server_cpu_ms: float


class Client:
    """One keep-alive connection; times each request and the server's CPU time for it."""

    def __init__(
        self, port: int, cpu: Any, headers: dict[str, str] | None = None, timeout: float = 600
    ) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cpu = cpu
        self.headers = headers or {}

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        """Send on the kept-alive connection; reconnect once if the server closed it idle."""
        try:
            self.connection.request(method, path, body, headers)
            return self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.connection.close()
            self.connection.request(method, path, body, headers)
            return self.connection.getresponse()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        cpu = self.cpu()
        began = time.perf_counter()
        response = self.send(method, path, body, self.headers | (headers or {}))
        data = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        used = (self.cpu() - cpu) * 1000
        found = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, data, found, elapsed, used)

    def close(self) -> None:
        self.connection.close()


def load_office(catalogue: Any, first: date, code: str, count: int) -> Load:
    """`count` confirmed in-person bookings of office `code` (with their holds) from `first` on."""
    office_id = catalogue.office_ids[code]
    everything = generate(catalogue, working_days(first, 110))
    kept = Load()
    ids: set[int] = set()
    for row in everything.bookings:
        if row[2] == office_id and row[7] == "confirmed" and len(kept.bookings) < count:
            kept.bookings.append(row)
            ids.add(row[0])
    kept.holds = [h for h in everything.holds if h[0] in ids]
    if len(kept.bookings) < count:
        raise RuntimeError(f"The generator made only {len(kept.bookings)} bookings for {code}.")
    return kept


def rebuild_pieces(engine: Engine) -> int:
    """Build every booking's pieces with `rebuild_all` (what `flask rebuild-feeds` runs)."""
    with Session(engine) as session:
        count = rebuild_all(session)
        session.commit()
    return count


def booking_body(room: int, day: date, hour: int) -> dict[str, Any]:
    starts_at = sofia_instant(day, wall_time(hour))
    return {
        "type": "info_session",
        "office": "sofia",
        "starts_at": to_sofia(starts_at).isoformat(),
        "ends_at": to_sofia(starts_at + timedelta(hours=1)).isoformat(),
        "resource_ids": [room],
        "notes": "bench feed change",
    }


def _json(answer: Answer, expected: int) -> Any:
    if answer.status != expected:
        raise RuntimeError(f"Expected {expected}, got {answer.status}: {answer.body[:500]!r}")
    return json.loads(answer.body)


def measure_feed(server: Server, token: str, room: int, day: date) -> list[dict[str, Any]]:
    """Make the 10,000th booking and the feed, then RUNS rounds of cold and 304 GETs."""
    api = Client(server.port, server.cpu_seconds, {"Authorization": f"Bearer {token}"})
    api.headers["Content-Type"] = "application/json"
    booking = _json(
        api.request("POST", "/api/v1/bookings", _encode(booking_body(room, day, 10))), 201
    )
    feed = _json(
        api.request(
            "POST",
            "/api/v1/feeds",
            _encode({"scope": "office", "office": "sofia", "privacy": "full"}),
        ),
        201,
    )
    path = urlsplit(feed["url"]).path
    reader = Client(server.port, server.cpu_seconds)
    first = reader.request("GET", path)  # warms the worker's imports; not counted
    if first.status != 200:
        raise RuntimeError(f"The feed answered {first.status}: {first.body[:300]!r}")
    etags = {first.headers["etag"]}
    rounds = []
    for _ in range(RUNS):
        figures, booking = _round(api, reader, path, booking, room, day, etags)
        rounds.append(figures)
        print("  feeds: " + _line(figures), flush=True)
    api.close()
    reader.close()
    return rounds


def _round(
    api: Client,
    reader: Client,
    path: str,
    booking: dict[str, Any],
    room: int,
    day: date,
    etags: set[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """COLD_REPEATS changes each followed by a GET, then CONDITIONAL_REPEATS 304s."""
    cold: list[Answer] = []
    changes: list[Answer] = []
    for n in range(COLD_REPEATS):
        hour = 11 if n % 2 == 0 else 10
        body = booking_body(room, day, hour)
        move = {
            "version": booking["version"],
            "starts_at": body["starts_at"],
            "ends_at": body["ends_at"],
        }
        change = api.request("POST", f"/api/v1/bookings/{booking['id']}/reschedule", _encode(move))
        booking = _json(change, 200)
        changes.append(change)
        answer = reader.request("GET", path)
        if answer.status != 200 or answer.headers["etag"] in etags:
            raise RuntimeError(f"The feed after a change answered {answer.status}, same ETag?")
        etags.add(answer.headers["etag"])
        cold.append(answer)
    latest = cold[-1]
    conditional = [
        reader.request("GET", path, headers={"If-None-Match": latest.headers["etag"]})
        for _ in range(CONDITIONAL_REPEATS)
    ]
    if any(a.status != 304 for a in conditional):
        raise RuntimeError("A conditional GET did not answer 304.")
    cold_ms = [a.ms for a in cold]
    conditional_ms = [a.ms for a in conditional]
    figures = {
        "body": latest.body,
        "events": latest.body.count(b"BEGIN:VEVENT"),
        "bytes": len(latest.body),
        "cold_ms": cold_ms,
        "cold_p50_ms": percentile(cold_ms, 50),
        "cold_p95_ms": percentile(cold_ms, 95),
        "cold_cpu_ms": sum(a.server_cpu_ms for a in cold) / len(cold),
        "change_ms": percentile([a.ms for a in changes], 50),
        "conditional_p50_ms": percentile(conditional_ms, 50),
        "conditional_p95_ms": percentile(conditional_ms, 95),
        "conditional_cpu_ms": sum(a.server_cpu_ms for a in conditional) / len(conditional),
    }
    return figures, booking


def _line(f: dict[str, Any]) -> str:
    return (
        f"{f['events']} events, {f['bytes']} bytes; cold p50 {f['cold_p50_ms']:.1f} ms, p95 "
        f"{f['cold_p95_ms']:.1f} ms (gunicorn CPU {f['cold_cpu_ms']:.1f} ms); 304 p50 "
        f"{f['conditional_p50_ms']:.2f} ms, p95 {f['conditional_p95_ms']:.2f} ms (gunicorn CPU "
        f"{f['conditional_cpu_ms']:.2f} ms); change p50 {f['change_ms']:.1f} ms"
    )


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@dataclass(frozen=True)
class Radicale:
    port: int
    pid: int
    version: str

    def cpu_seconds(self) -> float:
        return sum(_process_cpu(pid) for pid in [self.pid, *_children(self.pid)])


@contextmanager
def radicale() -> Iterator[Radicale]:
    """Radicale on a free loopback port, its own temporary storage, no authentication."""
    port = free_port()
    folder = tempfile.mkdtemp(prefix="bench-radicale-")
    log = tempfile.NamedTemporaryFile(prefix="bench-radicale-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "radicale",
        "--config",
        "",
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--storage-filesystem-folder",
        folder,
        "--auth-type",
        "none",
        "--server-max-content-length",
        str(200_000_000),
        "--logging-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Radicale exited: {Path(log.name).read_text()[-2000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/.web/")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("Radicale did not answer within 30 s") from None
                time.sleep(0.1)
        yield Radicale(port, process.pid, importlib.metadata.version("radicale"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
        shutil.rmtree(folder, ignore_errors=True)


TZ_LINE = re.compile(rb"^(DTSTART|DTEND);TZID=([^:;]+):(\d{8}T\d{6})$")


def in_utc(feed: bytes) -> bytes:
    """The feed's events with DTSTART/DTEND in UTC and without its VTIMEZONE blocks.

    Radicale (vobject) re-serialises every item with its VTIMEZONE; with the feed's RDATE-based
    Europe/Sofia zone that took minutes for 10,000 items, so Radicale gets the same instants in
    the simplest form instead (which can only make its job easier).
    """
    out: list[bytes] = []
    in_zone = False
    for line in feed.split(b"\r\n"):
        if line == b"BEGIN:VTIMEZONE":
            in_zone = True
        elif line == b"END:VTIMEZONE":
            in_zone = False
            continue
        if in_zone:
            continue
        found = TZ_LINE.match(line)
        if found:
            wall = datetime.strptime(found.group(3).decode(), "%Y%m%dT%H%M%S")
            zone = ZoneInfo(found.group(2).decode())
            instant = wall.replace(tzinfo=zone).astimezone(UTC)
            line = found.group(1) + b":" + instant.strftime("%Y%m%dT%H%M%SZ").encode()
        out.append(line)
    return b"\r\n".join(out)


def measure_radicale(feed: bytes) -> dict[str, Any]:
    with radicale() as server:
        basic = base64.b64encode(f"{USER}:x".encode()).decode()
        client = Client(
            server.port, server.cpu_seconds, {"Authorization": f"Basic {basic}"}, RADICALE_TIMEOUT
        )
        collection = f"/{USER}/office-sofia/"
        upload = client.request(
            "PUT", collection, in_utc(feed), {"Content-Type": "text/calendar; charset=utf-8"}
        )
        if upload.status not in (200, 201, 204):
            raise RuntimeError(
                f"Radicale answered the upload {upload.status}: {upload.body[:300]!r}"
            )
        gets = [client.request("GET", collection) for _ in range(RADICALE_GETS)]
        client.close()
    if any(g.status != 200 for g in gets):
        raise RuntimeError(f"Radicale answered GET {[g.status for g in gets]}")
    return {
        "version": server.version,
        "upload_ms": upload.ms,
        "get_ms": [g.ms for g in gets],
        "get_cpu_ms": [g.server_cpu_ms for g in gets],
        "events": gets[-1].body.count(b"BEGIN:VEVENT"),
        "bytes": len(gets[-1].body),
    }


def run() -> Result:
    result = Result("feeds")
    config = GunicornConfig.parse(os.environ.get("BENCH_GUNICORN", DEFAULT_SERVER))
    load_before = load_average()
    with scratch_database("zapis_bench_feeds") as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                catalogue = seed_catalogue(session)
                room = create_resource(
                    session,
                    ResourceSpec(
                        kind="room", name="Sofia feed bench room", office="sofia", capacity=30
                    ),
                ).id
                _token, secret = issue_token(session, name="bench admin", role="admin")
                session.commit()
            result.machine = describe_machine(engine)
            today = today_in_sofia()
            first = today - timedelta(days=60)
            began = time.perf_counter()
            load = load_office(catalogue, first, "sofia", EVENTS - 1)
            copy_in(engine, load)
            copied = time.perf_counter() - began
            began, cpu = time.perf_counter(), time.process_time()
            rebuilt = rebuild_pieces(engine)
            rendered, rendered_cpu = time.perf_counter() - began, time.process_time() - cpu
            with Session(engine) as session:
                pieces = session.scalar(select(func.count()).select_from(FeedPiece)) or 0
        finally:
            engine.dispose()
        days = [b[5] for b in load.bookings]
        print(
            f"  feeds: {len(load.bookings)} bookings copied in {copied:.1f} s, pieces of "
            f"{rebuilt} built in {rendered:.1f} s (CPU {rendered_cpu:.1f} s, {pieces} pieces)",
            flush=True,
        )
        change_day = working_days(today + timedelta(days=21), 1)[0]
        with gunicorn(url, config, APP_SETTINGS) as server:
            rounds = measure_feed(server, secret, room, change_day)
    load_mid = load_average()
    radicale_figures: dict[str, Any] | None = None
    radicale_error = None
    if importlib.util.find_spec("radicale") is None:
        radicale_error = "Radicale is not installed (pip install radicale)"
    else:
        try:
            radicale_figures = measure_radicale(rounds[-1]["body"])
        except Exception as exc:  # reported in the notes, the metric left out
            radicale_error = f"{type(exc).__name__}: {exc}"
    load_after = load_average()
    cold = median_of(rounds, "cold_p50_ms")
    result.add("feed_cold_ms_10k", cold, "ms", "< 200")
    result.add("feed_cold_p95_ms_10k", median_of(rounds, "cold_p95_ms"), "ms")
    result.add("feed_cold_server_cpu_ms_10k", median_of(rounds, "cold_cpu_ms"), "ms")
    result.add("feed_304_ms", median_of(rounds, "conditional_p50_ms"), "ms", "< 3")
    result.add("feed_304_p95_ms", median_of(rounds, "conditional_p95_ms"), "ms")
    result.add("feed_304_server_cpu_ms", median_of(rounds, "conditional_cpu_ms"), "ms")
    result.add("feed_change_ms", median_of(rounds, "change_ms"), "ms")
    result.add("feed_events", rounds[-1]["events"], "count", str(EVENTS))
    result.add("feed_rebuild_s_10k", rendered, "s", "< 15")
    result.add("feed_rebuild_cpu_s_10k", rendered_cpu, "s")
    result.note(
        f"Scratch PostgreSQL database: 3 offices, {catalogue.resource_count + 1} resources, "
        f"{len(load.bookings)} confirmed in-person Sofia bookings of bench/availability.py's "
        f"generator from {to_sofia(min(days)).date()} to {to_sofia(max(days)).date()} with "
        f"{len(load.holds)} holds, loaded with COPY in {copied:.1f} s (generator included); "
        f"their feed pieces ({pieces}: 3 private levels x 2 languages each) built with the "
        "service's rebuild_all (what `flask rebuild-feeds` runs: 500 bookings a step, "
        "loaded eagerly, one INSERT per table a step; one session, one commit) in "
        f"{rendered:.1f} s (feed_rebuild_s_10k; bench process CPU {rendered_cpu:.1f} s, "
        "PostgreSQL excluded). "
        f"Server: {config.describe()} on 127.0.0.1; client: http.client, one keep-alive "
        "connection, in the bench process on the same 2 cores. One more booking (an info "
        "session in a room of its own) made through POST /api/v1/bookings makes the feed "
        f"{rounds[-1]['events']} events, {rounds[-1]['bytes']} bytes (default window: 90 "
        "days back, 365 ahead); its URL from POST /api/v1/feeds (scope office, office sofia, "
        f"privacy full). Each of {RUNS} rounds: {COLD_REPEATS} times, reschedule that booking "
        "through the API (10:00 <-> 11:00; feed_change_ms is that request) and then GET the "
        "whole feed (200, a new ETag each time); then "
        f"{CONDITIONAL_REPEATS} GETs with If-None-Match, every one answered 304. "
        "feed_cold_ms_10k and feed_304_ms are the p50 of a round (p95 beside), each metric "
        "the median of the rounds. *_server_cpu_ms: CPU time of the gunicorn processes per "
        "request (the round's total over its requests: /proc counts in 10 ms ticks), "
        "PostgreSQL excluded. The service keeps no HTTP-level cache: the body "
        "is joined from the stored pieces on each 200."
    )
    if radicale_figures is not None:
        radicale_get = percentile(radicale_figures["get_ms"], 50)
        result.add("radicale_get_ms_10k", radicale_get, "ms")
        result.add("radicale_get_cpu_ms_10k", percentile(radicale_figures["get_cpu_ms"], 50), "ms")
        result.add("radicale_upload_ms_10k", radicale_figures["upload_ms"], "ms")
        result.add("feed_vs_radicale_ratio", radicale_get / cold, "ratio", ">= 3")
        result.note(
            f"Radicale {radicale_figures['version']} (PyPI) on 127.0.0.1 with its own "
            "temporary filesystem storage, --auth-type none, default rights (owner_only: the "
            f"requests carry Basic auth as user '{USER}'): the calendar was made by one PUT of "
            "the feed's last 200 body (a whole VCALENDAR) to the collection URL "
            f"(radicale_upload_ms_10k), its {radicale_figures['events']} VEVENTs unchanged "
            "except DTSTART/DTEND rewritten in UTC and the VTIMEZONE blocks left out (with "
            "the feed's RDATE-based Europe/Sofia VTIMEZONE, Radicale re-serialising each item "
            "through vobject and dateutil had not finished the PUT after 7 minutes in a first "
            "attempt at load average 4-8, so it gets the simplest form of the same instants); "
            f"then {RADICALE_GETS} GETs of the whole collection on "
            f"one keep-alive connection answered {radicale_figures['events']} events, "
            f"{radicale_figures['bytes']} bytes; radicale_get_ms_10k is their p50 "
            f"(all: {', '.join(f'{x:.0f}' for x in radicale_figures['get_ms'])} ms), "
            "radicale_get_cpu_ms_10k the CPU time of the Radicale process per GET (p50, 10 ms "
            "ticks); "
            "feed_vs_radicale_ratio = radicale_get_ms_10k / feed_cold_ms_10k."
        )
    else:
        result.note(f"Radicale could not run ({radicale_error}): its metrics are left out.")
    result.note("Rounds: " + "; ".join(_line(f) for f in rounds) + ".")
    result.note(
        "Cold GETs of the last round (ms): "
        + ", ".join(f"{x:.0f}" for x in rounds[-1]["cold_ms"])
        + f". Load average (1/5/15 min) of the shared machine: before {load_before}, after "
        f"the feed {load_mid}, after Radicale {load_after}."
    )
    if tree_is_dirty():
        result.note("The working tree had uncommitted changes when this ran.")
    return result
