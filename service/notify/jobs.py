"""The scheduler's jobs: dispatch due SMS, recover stale leases, purge old texts."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections import Counter
from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from service.clock import utcnow
from service.db import session_scope
from service.notify.dispatch import Dispatcher, dispatch_due, recover_leases
from service.notify.retention import Purged, purge_old_messages
from service.notify.senders import sender_from_config
from service.notify.settings import NotifySettings

log = logging.getLogger("zapis.scheduler")


def make_dispatcher(app: Flask) -> Dispatcher:
    return Dispatcher(
        worker_id=f"{socket.gethostname()}:{os.getpid()}",
        sender=sender_from_config(app.config),
        settings=NotifySettings.from_config(app.config),
        lease=timedelta(seconds=int(app.config.get("DISPATCH_LEASE_SECONDS") or 120)),
    )


def _sessions(app: Flask) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.extensions["zapis.sessionmaker"]
    return made


def dispatch_job(app: Flask, dispatcher: Dispatcher) -> Counter[str]:
    counts = dispatch_due(_sessions(app), dispatcher)
    if counts:
        log.info("dispatched: %s", dict(counts))
    return counts


def recovery_job(app: Flask) -> int:
    with session_scope(app) as session:
        return recover_leases(session)


def purge_job(app: Flask) -> Purged:
    days = NotifySettings.from_config(app.config).retention_days
    with session_scope(app) as session:
        purged = purge_old_messages(session, utcnow(), days)
    log.info("retention: %d message(s), %d reply(ies) purged", purged.messages, purged.replies)
    return purged


def run_once(app: Flask) -> str:
    dispatcher = make_dispatcher(app)
    recovered = recovery_job(app)
    counts = dispatch_job(app, dispatcher)
    return f"recovered {recovered}; sent {dict(counts)}"


def run_scheduler(app: Flask, interval: float) -> None:
    """Block, running the jobs; several processes may run this at once safely."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    dispatcher = make_dispatcher(app)
    scheduler = BlockingScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(dispatch_job, "interval", seconds=interval, args=(app, dispatcher), **common)
    scheduler.add_job(recovery_job, "interval", minutes=1, args=(app,), **common)
    scheduler.add_job(purge_job, "cron", hour=3, minute=17, args=(app,), **common)
    # SIGTERM stops taking new work; a send under way finishes and is settled first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("scheduler started as %s, dispatching every %gs", dispatcher.worker_id, interval)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
