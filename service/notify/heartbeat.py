"""Dispatcher heartbeats: each dispatcher process writes one row per dispatch tick.

The row (host, pid, when it started, its tick interval, what its last tick claimed and sent)
lets /metrics on any web host tell how many dispatchers are alive. A dispatcher is live while
its last beat is younger than LIVE_TICKS of its own interval. Rows of dispatchers silent for
longer than PRUNE_AFTER are deleted by the scheduler's recovery job; a dispatcher that stops
cleanly deletes its own row.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import DispatcherHeartbeat
from service.plumbing.clock import utcnow

LIVE_TICKS = 3
PRUNE_AFTER = timedelta(hours=1)


def this_worker_id() -> str:
    """Return this process's identity as a dispatcher: `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Beat:
    """Who beats: one dispatcher process, and how often it ticks."""

    host: str
    pid: int
    interval: float
    started_at: datetime = field(default_factory=utcnow)

    @property
    def worker_id(self) -> str:
        return f"{self.host}:{self.pid}"

    @classmethod
    def of_this_process(cls, interval: float) -> Beat:
        return cls(host=socket.gethostname(), pid=os.getpid(), interval=interval)


def record_heartbeat(
    session: Session, beat: Beat, *, claimed: int, sent: int, now: datetime | None = None
) -> DispatcherHeartbeat:
    """Write this dispatcher's row: the time of this tick and what it claimed and sent."""
    now = now or utcnow()
    row = session.get(DispatcherHeartbeat, beat.worker_id)
    if row is None:
        row = DispatcherHeartbeat(worker_id=beat.worker_id)
        session.add(row)
    row.host, row.pid, row.started_at = beat.host[:100], beat.pid, beat.started_at
    row.interval_seconds = beat.interval
    row.last_beat_at = now
    row.last_claimed = claimed
    row.last_sent = sent
    session.flush()
    return row


def is_live(row: DispatcherHeartbeat, now: datetime) -> bool:
    """Tell whether `row` beat within LIVE_TICKS of its interval before `now`."""
    return row.last_beat_at >= now - timedelta(seconds=LIVE_TICKS * row.interval_seconds)


def list_heartbeats(session: Session) -> list[DispatcherHeartbeat]:
    return list(
        session.scalars(select(DispatcherHeartbeat).order_by(DispatcherHeartbeat.worker_id))
    )


def prune_heartbeats(session: Session, now: datetime | None = None) -> int:
    """Delete the rows of dispatchers silent for longer than PRUNE_AFTER; return how many."""
    cutoff = (now or utcnow()) - PRUNE_AFTER
    result = session.execute(
        delete(DispatcherHeartbeat)
        .where(DispatcherHeartbeat.last_beat_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget_heartbeat(session: Session, worker_id: str) -> None:
    """Delete the row of a dispatcher that stops cleanly."""
    session.execute(delete(DispatcherHeartbeat).where(DispatcherHeartbeat.worker_id == worker_id))
