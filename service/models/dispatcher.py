"""Dispatcher heartbeats: which dispatcher processes are alive and what their last tick did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base


class DispatcherHeartbeat(Base):
    """One dispatcher process (host and pid), written at the end of each of its dispatch ticks."""

    __tablename__ = "dispatcher_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int]
    interval_seconds: Mapped[float]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_claimed: Mapped[int]
    last_sent: Mapped[int]
