"""Outbox figures for /metrics, read from the database at scrape time.

Counted from the shared database, so every web host exports the same numbers whichever
dispatcher did the work: messages by status, how late the oldest due message is (the
dispatchers' lag), and when the last message went out (their heartbeat while there is work).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask import Flask, current_app, has_app_context
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.models import OutboxMessage
from service.notify.heartbeat import LIVE_TICKS, is_live, list_heartbeats
from service.plumbing.clock import utcnow
from service.web.metrics import register_collector


class DatabaseCollector:
    """Read figures from the database of the app answering the scrape (nothing outside one)."""

    def collect(self) -> Iterator[Metric]:
        if not has_app_context():
            return
        sessions: sessionmaker[Session] = current_app.extensions["zapis.sessionmaker"]
        now = utcnow()
        with sessions() as session:
            metrics = self.read(session, now)
        yield from metrics

    def read(self, session: Session, now: datetime) -> list[Metric]:
        raise NotImplementedError


class OutboxCollector(DatabaseCollector):
    """Export the outbox by status, the dispatch lag and when a message last went out."""

    def read(self, session: Session, now: datetime) -> list[Metric]:
        counts = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
        oldest_due = session.scalar(
            select(func.min(OutboxMessage.due_at)).where(
                OutboxMessage.status == "queued", OutboxMessage.due_at <= now
            )
        )
        last_sent = session.scalar(select(func.max(OutboxMessage.sent_at)))
        reconciled = session.execute(
            select(OutboxMessage.reconciliation, func.count())
            .where(OutboxMessage.reconciliation.is_not(None))
            .group_by(OutboxMessage.reconciliation)
        ).all()
        by_status = GaugeMetricFamily(
            "zapis_notifications", "Notifications in the outbox by status.", labels=["status"]
        )
        for status, count in counts:
            by_status.add_metric([status], count)
        reconciliations = GaugeMetricFamily(
            "zapis_sms_reconciliations",
            "Sends of unknown outcome reconciled, by outcome (callback, found, resent, "
            "superseded, expired; unknowable went to review).",
            labels=["outcome"],
        )
        for outcome, count in reconciled:
            reconciliations.add_metric([str(outcome)], count)
        lag = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
        metrics: list[Metric] = [
            by_status,
            reconciliations,
            GaugeMetricFamily(
                "zapis_dispatch_lag_seconds",
                "How long the oldest due message has waited to be sent (0 when none waits).",
                value=max(lag, 0.0),
            ),
        ]
        if last_sent is not None:
            metrics.append(
                GaugeMetricFamily(
                    "zapis_dispatch_last_sent_timestamp_seconds",
                    "When a dispatcher last sent a message (Unix time).",
                    value=last_sent.timestamp(),
                )
            )
        return metrics


class HeartbeatCollector(DatabaseCollector):
    """Export each dispatcher's heartbeat age and how many dispatchers are live."""

    def read(self, session: Session, now: datetime) -> list[Metric]:
        beats = list_heartbeats(session)
        age = GaugeMetricFamily(
            "zapis_dispatcher_heartbeat_age_seconds",
            "Seconds since each dispatcher process (host:pid) finished a dispatch tick.",
            labels=["worker"],
        )
        for row in beats:
            age.add_metric([row.worker_id], max((now - row.last_beat_at).total_seconds(), 0.0))
        live = GaugeMetricFamily(
            "zapis_dispatchers_live",
            f"Dispatcher processes whose last tick is less than {LIVE_TICKS} intervals old.",
            value=sum(1 for row in beats if is_live(row, now)),
        )
        return [age, live]


_registered: list[DatabaseCollector] = []


def init_app(app: Flask) -> None:
    """Export the outbox and heartbeat figures at /metrics (registered once per process)."""
    if not _registered:
        _registered.extend((OutboxCollector(), HeartbeatCollector()))
        for collector in _registered:
            register_collector(collector)
