"""The scheduler's jobs: dispatch due SMS (with a heartbeat), recover leases, purge old texts,
fold the feeds' change log."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.feeds import fold_changes
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
from service.plumbing.clock import utcnow
from service.plumbing.db import session_scope
from service.web.idempotency import purge_expired_keys

log = logging.getLogger("zapis.scheduler")
# One dispatch tick sends waves for at most this long before the scheduler runs it again.
DISPATCH_BUDGET_S = 60.0
# Set on SIGTERM: the wave under way is sent and settled, no further wave is claimed.
STOPPING = threading.Event()


def make_dispatcher(app: Flask) -> Dispatcher:
    config = app.config
    read_timeout = float(config.get("TWILIO_READ_TIMEOUT") or 10.0)
    retry_attempts = int(config.get("DISPATCH_RETRY_ATTEMPTS") or 4)
    lease = timedelta(seconds=int(config.get("DISPATCH_LEASE_SECONDS") or 120))
    # A `sending` row stays ours while its sends (each bounded by the read timeout) and the
    # waits between them may still run.
    send_lease = max(lease, timedelta(seconds=retry_attempts * (read_timeout + 10) + 60))
    return Dispatcher(
        worker_id=this_worker_id(),
        sender=sender_from_config(config),
        settings=NotifySettings.from_config(config),
        lease=lease,
        send_lease=send_lease,
        batch=int(config.get("DISPATCH_BATCH") or 32),
        concurrency=int(config.get("DISPATCH_CONCURRENCY") or 8),
        retry_attempts=retry_attempts,
        reconcile_after=timedelta(seconds=float(config.get("SMS_RECONCILE_AFTER_SECONDS") or 30)),
        absent_after=timedelta(seconds=float(config.get("SMS_ABSENT_AFTER_SECONDS") or 180)),
    )


def _sessions(app: Flask) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.extensions["zapis.sessionmaker"]
    return made


@dataclass
class LastTick:
    """What the dispatcher's last tick did, for the heartbeat written by another thread."""

    claimed: int = 0
    sent: int = 0


def dispatch_job(
    app: Flask,
    dispatcher: Dispatcher,
    beat: Beat | None = None,
    last: LastTick | None = None,
    budget: float = 0.0,
) -> Counter[str]:
    """Send waves of due messages until none is left or `budget` seconds have passed.

    With `beat`, record this dispatcher's heartbeat afterwards (the scheduler instead beats
    from a job of its own, so that a blocked send never silences it).
    """
    started = time.monotonic()
    counts: Counter[str] = Counter()
    while wave := dispatch_due(_sessions(app), dispatcher):
        counts.update(wave)
        if time.monotonic() - started >= budget or STOPPING.is_set():
            break
    if counts:
        log.info("dispatched: %s", dict(counts))
    if last is not None:
        last.claimed, last.sent = sum(counts.values()), counts["sent"]
    if beat is not None:
        heartbeat_job(app, beat, LastTick(sum(counts.values()), counts["sent"]))
    return counts


def heartbeat_job(app: Flask, beat: Beat, last: LastTick) -> None:
    """Record that this dispatcher process is alive, with what its last tick did."""
    with session_scope(app) as session:
        record_heartbeat(session, beat, claimed=last.claimed, sent=last.sent)


def recovery_job(app: Flask) -> int:
    """Move rows left `sending` by dead workers to review; prune stale heartbeats."""
    with session_scope(app) as session:
        pruned = prune_heartbeats(session)
    if pruned:
        log.info("heartbeats of %d silent dispatcher(s) pruned", pruned)
    with session_scope(app) as session:
        return recover_leases(session)


def feed_fold_job(app: Flask) -> int:
    """Fold the feeds' change log, so conditional GETs by date can answer 304 again."""
    with session_scope(app) as session:
        return fold_changes(session)


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
    feed_fold_job(app)
    counts = dispatch_job(app, dispatcher)
    return f"recovered {recovered}; sent {dict(counts)}"


def run_scheduler(app: Flask, interval: float) -> None:
    """Block, running the jobs; several processes may run this at once safely."""
    # APScheduler logs two lines per tick at INFO ("Running job", "executed successfully"):
    # every 5 s that buries everything else, so it speaks at SCHEDULER_LOG_LEVEL (WARNING).
    logging.getLogger("apscheduler").setLevel(app.config["SCHEDULER_LOG_LEVEL"].upper())
    dispatcher = make_dispatcher(app)
    beat = Beat.of_this_process(interval)
    last = LastTick()
    scheduler = BlockingScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True}
    # The heartbeat is a job of its own (its own pool thread): a send blocked in the dispatch
    # job for up to its timeouts never stops it.
    scheduler.add_job(
        heartbeat_job,
        "interval",
        seconds=interval,
        args=(app, beat, last),
        next_run_time=datetime.now(UTC),  # the first beat at once
        **common,
    )
    scheduler.add_job(
        dispatch_job,
        "interval",
        seconds=interval,
        args=(app, dispatcher, None, last, DISPATCH_BUDGET_S),
        next_run_time=datetime.now(UTC),
        **common,
    )
    scheduler.add_job(recovery_job, "interval", minutes=1, args=(app,), **common)
    scheduler.add_job(feed_fold_job, "interval", seconds=interval, args=(app,), **common)
    scheduler.add_job(purge_job, "cron", hour=3, minute=17, args=(app,), **common)

    # SIGTERM stops taking new work; a send under way finishes and is settled first.
    def stop(*_: object) -> None:
        STOPPING.set()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
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
