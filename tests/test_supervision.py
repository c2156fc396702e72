"""gunicorn as deployed (./gunicorn.conf.py): workers die with their master, so a restart binds
the port at once; /health and /ready answer while requests wait on a lock."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from service.plumbing.db import make_engine
from tests.clients.hosts import Process, base_env, call, free_port, wait_until
from tests.held_locks import hold_booking_lock, seed_booking_request


def _gunicorn(name: str, port: int, env: dict[str, str], logs: Path) -> Process:
    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "service:create_app()"]  # fmt: skip
    return Process(name, args, env, logs / f"{name}.log")


def _wait_ready(process: Process, url: str) -> None:
    def ready() -> bool:
        assert process.alive(), process.tail()
        try:
            return call(f"{url}/ready", timeout=2)[0] == 200
        except OSError:
            return False

    wait_until(ready, f"{process.name} to be ready", 60, process.tail)


def _blocked_bookings(engine: Any) -> int:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
        ).scalar()
    return int(waiting or 0)


def _send(url: str, body: dict[str, Any], headers: dict[str, str], answers: list[Any]) -> None:
    try:
        answers.append(call(f"{url}/api/v1/bookings", body, headers, timeout=120)[0])
    except OSError as error:  # the server went away under it
        answers.append(type(error).__name__)


@pytest.mark.postgres_only
def test_a_restart_after_the_master_is_killed_binds_the_port_at_once(
    fresh_database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    url_db = fresh_database()
    engine = make_engine(url_db)
    headers, body, interpreter_id = seed_booking_request(engine, with_beneficiary=False)
    env = base_env(url_db, WEB_WORKERS="2", DB_LOCK_TIMEOUT_MS="60000")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = _gunicorn("first", port, env, tmp_path)
    holder = engine.connect()
    answers: list[Any] = []
    busy = threading.Thread(target=_send, args=(url, body, headers, answers))
    try:
        _wait_ready(first, url)
        hold_booking_lock(holder, interpreter_id)
        busy.start()
        wait_until(lambda: _blocked_bookings(engine) == 1, "a worker to be busy", 30)

        first.popen.send_signal(signal.SIGKILL)
        first.popen.wait(timeout=10)
        second = _gunicorn("second", port, env, tmp_path)
        try:
            # it binds the port while the lock is still held: the busy worker went with the
            # master instead of serving on (gunicorn gives up binding after five tries)
            _wait_ready(second, url)
        finally:
            second.stop()
        assert "Connection in use" not in second.log.read_text()
    finally:
        holder.rollback()
        holder.close()
        busy.join(timeout=60)
        first.stop()
        engine.dispose()
    assert answers != [201]  # the killed worker's booking never completed


@pytest.mark.postgres_only
def test_health_and_ready_answer_while_every_worker_waits_on_a_lock(
    fresh_database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    url_db = fresh_database()
    engine = make_engine(url_db)
    headers, body, interpreter_id = seed_booking_request(engine, with_beneficiary=False)
    workers = 2
    env = base_env(url_db, WEB_WORKERS=str(workers), DB_LOCK_TIMEOUT_MS="60000")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web = _gunicorn("web", port, env, tmp_path)
    holder = engine.connect()
    answers: list[Any] = []
    clients: list[threading.Thread] = []
    try:
        _wait_ready(web, url)
        hold_booking_lock(holder, interpreter_id)
        clients = [
            threading.Thread(target=_send, args=(url, body, headers, answers))
            for _ in range(workers)
        ]
        for client in clients:
            client.start()
        wait_until(lambda: _blocked_bookings(engine) == workers, "the bookings to wait", 30)

        assert call(f"{url}/health", timeout=30)[0] == 200
        assert call(f"{url}/ready", timeout=30)[0] == 200
        # and the bookings were still waiting: health did not have to wait for them
        assert _blocked_bookings(engine) == workers and answers == []
    finally:
        holder.rollback()
        holder.close()
        for client in clients:
            client.join(timeout=60)
        web.stop()
        engine.dispose()
    assert sorted(answers) == [201, 409]  # one booked; the other found the slot taken
