"""gunicorn's settings for every deployment (Dockerfile, compose, systemd) and `make run`.

gunicorn reads ./gunicorn.conf.py by itself; the environment tunes it. Threads (gthread)
keep /health and /ready answering while some requests wait on the database, and the
database deadlines (DB_LOCK_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS) end such waits well before
`timeout`, so a worker is never killed mid-request.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# No gunicorn access log: the app writes its own JSON one, with feed tokens redacted.
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def post_fork(_server: Any, worker: Any) -> None:
    """Die with the master: a worker left behind by a killed master would keep serving on the
    port and stop the next start from binding it."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker.ppid:  # the master died before the line above
        os._exit(1)
