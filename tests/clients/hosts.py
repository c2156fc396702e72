"""Run zapis as production does, in processes of their own on loopback: web hosts and dispatchers.

`web_host` starts gunicorn on a free port and waits for /ready; `dispatcher` starts
`flask --app service scheduler`. Both are context managers that terminate their process
(and kill it if it does not stop) on the way out, whatever happened inside.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


def free_port() -> int:
    """Return a port nothing listens on now (bound to port 0, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float, tell: Callable[[], str] = str
) -> None:
    """Poll `condition` until it holds; fail naming `what` (and `tell()`) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{tell()}")
        time.sleep(0.05)


def call(
    url: str, body: Any = None, headers: Mapping[str, str] | None = None, timeout: float = 30
) -> tuple[int, Any]:
    """Send JSON (POST when `body` is given, else GET); return the status and decoded body."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with DIRECT.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


class Process:
    """One child process with its output in a file."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                args, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.name} (exit {self.popen.poll()}) ---\n" + "\n".join(text)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 15 s."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=15)


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TWILIO_"))}
    return (
        env
        | {
            "DATABASE_URL": database_url,
            "ZAPIS_ENV": "development",
            "SECRET_KEY": "test-secret-key",
            "LOG_LEVEL": "WARNING",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            "METRICS_TOKEN": "test-metrics-token-0123456789",
        }
        | extra
    )


@contextmanager
def web_host(name: str, env: Mapping[str, str], logs: Path, workers: int = 2) -> Iterator[str]:
    """Serve the app under gunicorn on a free loopback port; yield its base URL once ready."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    multiproc = logs / f"{name}-prometheus"
    multiproc.mkdir()
    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--timeout", "60", "service:create_app()"]  # fmt: skip
    process = Process(
        name,
        args,
        {**env, "PUBLIC_BASE_URL": url, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)},
        logs / f"{name}.log",
    )
    try:

        def ready() -> bool:
            assert process.alive(), process.tail()
            try:
                return call(f"{url}/ready", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(ready, f"{name} to be ready", 45, process.tail)
        yield url
    finally:
        process.stop()


@contextmanager
def dispatcher(name: str, env: Mapping[str, str], logs: Path, interval: float) -> Iterator[Process]:
    """Run `flask --app service scheduler --interval INTERVAL` until the block ends."""
    args = [sys.executable, "-m", "flask", "--app", "service", "scheduler",
            "--interval", str(interval)]  # fmt: skip
    process = Process(name, args, env, logs / f"{name}.log")
    try:
        yield process
    finally:
        process.stop()
