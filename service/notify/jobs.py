"""The scheduler's jobs: dispatch due SMS (with a heartbeat), recover leases, purge old texts."""

from __future__ import annotations

import logging
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.clock import utcnow
from service.db import session_scope
from service.idempotency import purge_expired_keys
from service.notify.dispatch import Dispatcher, dispatch_due, recover_leases
from service.notify.heartbeat import (
    Beat,
    forget_heartbeat,
    prune_heartbeats,
    record_heartbeat,
    this_worker_id,
)
from service.notify.retention import Purged, purge_old_messages
from service.notify.senders import sender_from_config
from service.notify.settings import NotifySettings

log = logging.getLogger("zapis.scheduler")


def make_dispatcher(app: Flask) -> Dispatcher:
    return Dispatcher(
        worker_id=this_worker_id(),
        sender=sender_from_config(app.config),
        settings=NotifySettings.from_config(app.config),
        lease=timedelta(seconds=int(app.config.get("DISPATCH_LEASE_SECONDS") or 120)),
    )


def _sessions(app: Flask) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.extensions["zapis.sessionmaker"]
    return made


def dispatch_job(app: Flask, dispatcher: Dispatcher, beat: Beat | None = None) -> Counter[str]:
    """Send one batch of due messages, then record this dispatcher's heartbeat."""
    counts = dispatch_due(_sessions(app), dispatcher)
    if counts:
        log.info("dispatched: %s", dict(counts))
    if beat is not None:
        with session_scope(app) as session:
            record_heartbeat(session, beat, claimed=sum(counts.values()), sent=counts["sent"])
    return counts


def recovery_job(app: Flask) -> int:
    """Move rows left `sending` by dead workers to review; prune stale heartbeats."""
    with session_scope(app) as session:
        pruned = prune_heartbeats(session)
    if pruned:
        log.info("heartbeats of %d silent dispatcher(s) pruned", pruned)
    with session_scope(app) as session:
        return recover_leases(session)


def purge_job(app: Flask) -> Purged:
    days = NotifySettings.from_config(app.config).retention_days
    with session_scope(app) as session:
        purged = purge_old_messages(session, utcnow(), days)
        keys = purge_expired_keys(session, utcnow())
    log.info(
        "retention: %d message(s), %d reply(ies), %d idempotency key(s) purged",
        purged.messages,
        purged.replies,
        keys,
    )
    return purged


def run_once(app: Flask) -> str:
    dispatcher = make_dispatcher(app)
    recovered = recovery_job(app)
    counts = dispatch_job(app, dispatcher)
    return f"recovered {recovered}; sent {dict(counts)}"


def run_scheduler(app: Flask, interval: float) -> None:
    """Block, running the jobs; several processes may run this at once safely."""
    # APScheduler logs two lines per tick at INFO ("Running job", "executed successfully"):
    # every 5 s that buries everything else, so it speaks at SCHEDULER_LOG_LEVEL (WARNING).
    logging.getLogger("apscheduler").setLevel(app.config["SCHEDULER_LOG_LEVEL"].upper())
    dispatcher = make_dispatcher(app)
    beat = Beat.of_this_process(interval)
    scheduler = BlockingScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(
        dispatch_job,
        "interval",
        seconds=interval,
        args=(app, dispatcher, beat),
        next_run_time=datetime.now(UTC),  # the first tick (and heartbeat) at once
        **common,
    )
    scheduler.add_job(recovery_job, "interval", minutes=1, args=(app,), **common)
    scheduler.add_job(purge_job, "cron", hour=3, minute=17, args=(app,), **common)
    # SIGTERM stops taking new work; a send under way finishes and is settled first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("scheduler started as %s, dispatching every %gs", dispatcher.worker_id, interval)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
        try:
            with session_scope(app) as session:
                forget_heartbeat(session, beat.worker_id)
        except SQLAlchemyError:
            log.warning("scheduler stopped; its heartbeat is left to be pruned", exc_info=True)
            return
        log.info("scheduler stopped")
