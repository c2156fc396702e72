"""`make run` stays readable: the scheduler process does not log every tick."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

FLASK = [sys.executable, "-m", "flask", "--app", "service"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FLASK, *args], env=env, capture_output=True, text=True, check=True)


def _scheduler_lines(tmp_path: Path, **settings: str) -> list[dict[str, str]]:
    """Run the scheduler for three seconds after it starts, at a 0.2 s interval; return its
    log lines."""
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'quiet.sqlite3'}", **settings}
    env.pop("TEST_DATABASE_URL", None)
    _run(["migrate"], env)
    process = subprocess.Popen(
        [*FLASK, "scheduler", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    early = []
    while not early or "scheduler started" not in early[-1]:
        line = process.stderr.readline()
        assert line, f"the scheduler ended before it started: {early}"
        early.append(line)
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    _out, rest = process.communicate(timeout=60)
    return [json.loads(line) for line in [*early, *rest.splitlines()] if line.strip()]


def test_the_scheduler_says_it_started_and_then_keeps_quiet(tmp_path: Path) -> None:
    lines = _scheduler_lines(tmp_path)
    messages = [line["message"] for line in lines]
    assert any(m.startswith("scheduler started") for m in messages), messages
    assert not [m for m in messages if "Running job" in m or "executed successfully" in m]
    assert len(lines) < 6, messages  # about fifteen ticks ran


def test_apschedulers_lines_come_back_at_info_with_their_times_intact(tmp_path: Path) -> None:
    lines = _scheduler_lines(tmp_path, SCHEDULER_LOG_LEVEL="INFO")
    ticks = [line["message"] for line in lines if "Running job" in line["message"]]
    assert len(ticks) >= 5
    # "next run at: 2026-12-05 18:40:05 UTC" is a time, not a phone number to redact
    assert all("<phone>" not in tick and " UTC" in tick for tick in ticks), ticks[:3]
