"""What every benchmark shares: the result file, the machine, a throw-away database, gunicorn.

A result is one JSON file per benchmark under `bench/results/`, in the format of
`/work/shared/BENCH.md`: name, machine, when, commit, metrics {name: {value, unit, target}}, notes.
A metric that could not be measured is left out, never guessed.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from service.plumbing.db import make_engine
from service.plumbing.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SMOKE_VARIABLE = "BENCH_SMOKE"  # set by `python -m bench --smoke`
RESULTS_VARIABLE = "BENCH_RESULTS_DIR"  # where results go instead of bench/results/
T = TypeVar("T")


def smoke() -> bool:
    """Tell whether this is a smoke run: every benchmark at a small size, figures discarded."""
    return os.environ.get(SMOKE_VARIABLE) == "1"


def sized(full: T, small: T) -> T:
    """`small` in a smoke run, else `full`."""
    return small if smoke() else full


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_VARIABLE) or RESULTS)


def server_url() -> str:
    """The PostgreSQL server the benchmarks create their databases on."""
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER_URL


@dataclass
class Result:
    """One benchmark's result; `metrics` maps a fixed metric name to value, unit and target."""

    name: str
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    machine: str = ""

    def add(self, metric: str, value: float | int, unit: str, target: str = "—") -> None:
        rounded: float | int = round(value, 2) if isinstance(value, float) else value
        self.metrics[metric] = {"value": rounded, "unit": unit, "target": target}

    def note(self, text_: str) -> None:
        self.notes.append(text_)

    def write(self) -> Path:
        folder = results_dir()
        folder.mkdir(parents=True, exist_ok=True)
        body = {
            "name": self.name,
            "machine": self.machine or describe_machine(None),
            "when": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "commit": git_commit(),
            "metrics": self.metrics,
            "notes": " ".join(self.notes),
        }
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def tree_is_dirty() -> bool:
    """Tell whether code (not results) differs from the commit, so the hash would mislead."""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":(exclude)bench/results"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return bool(out.stdout.strip())


def _memory_gib() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024)
    except OSError:
        return None
    return None


def postgres_version(engine: Engine | None) -> str | None:
    if engine is None:
        return None
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    except Exception:
        return None
    return str(version).split()[0]


def describe_machine(engine: Engine | None) -> str:
    """`2 cores, 24 GiB, Python 3.11.7, PostgreSQL 15.x`, read from this system."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [f"{cores} cores"]
    memory = _memory_gib()
    if memory is not None:
        parts.append(f"{memory} GiB")
    parts.append(f"Python {platform.python_version()}")
    pg = postgres_version(engine)
    if pg:
        parts.append(f"PostgreSQL {pg}")
    return ", ".join(parts)


def load_average() -> str:
    """The 1/5/15-minute load averages, to show how busy the shared machine was."""
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct` percentile by linear interpolation (numpy's default), of a non-empty sample."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median_of(runs: Sequence[Mapping[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create and migrate a new database on the bench server; drop it whatever happens."""
    base = make_url(server_url())
    admin_url = base.set(database="postgres").render_as_string(False)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(False)
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class GunicornConfig:
    worker_class: str = "sync"
    workers: int = 4
    threads: int = 1

    def describe(self) -> str:
        if self.worker_class == "gthread":
            return f"gunicorn {self.workers} gthread workers x {self.threads} threads"
        return f"gunicorn {self.workers} {self.worker_class} workers"

    @classmethod
    def parse(cls, spec: str) -> GunicornConfig:
        """`sync:4` or `gthread:2x8` (workers x threads)."""
        kind, _, size = spec.partition(":")
        workers, _, threads = size.partition("x")
        return cls(kind, int(workers or 4), int(threads or 1))


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn master and its workers."""
        return sum(_process_cpu(pid) for pid in [self.pid, *_children(self.pid)])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _process_cpu(pid: int) -> float:
    try:
        fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


def app_spec(overrides: Mapping[str, str | int] | None = None) -> str:
    """The gunicorn application spec: `create_app` with the benchmark's own settings.

    gunicorn evaluates the call's arguments as Python literals, so the overrides are the
    app's configuration exactly as a test's `create_app(overrides)` would set it.
    """
    return f"service:create_app({dict(overrides or {})!r})"


@contextmanager
def gunicorn(
    database_url: str,
    config: GunicornConfig,
    overrides: Mapping[str, str | int] | None = None,
) -> Iterator[Server]:
    """Serve `service:create_app(overrides)` of this tree on a free loopback port."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--workers",
        str(config.workers),
        "--worker-class",
        config.worker_class,
        "--threads",
        str(config.threads),
        "--log-level",
        "warning",
        "--backlog",
        "256",
        app_spec(overrides),
    ]
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
    try:
        _wait_until_up(port, process, Path(log.name))
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /health within 30 s")


def note_load_and_runs(result: Result, load_before: str, load_after: str, runs: list[str]) -> None:
    """Close a result's notes: the machine's load around the runs, each run, a dirty tree."""
    result.note(
        f"Load average (1/5/15 min) of the shared machine before the runs {load_before}, "
        f"after {load_after}."
    )
    result.note("Runs: " + "; ".join(runs) + ".")
    if tree_is_dirty():
        result.note("The working tree had uncommitted changes when this ran.")
