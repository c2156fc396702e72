"""Shared helpers of the outbox and dispatcher tests: a settable clock and row queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.booking.calendar_rules import public_holiday
from service.models import OutboxMessage

SOFIA = ZoneInfo("Europe/Sofia")
UTC = ZoneInfo("UTC")


class Clock:
    """Stands in for `utcnow` in the modules that read the time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        for module in (
            "service.booking.bookings",
            "service.notify.outbox",
            "service.directory.beneficiaries",
            "service.notify.dispatch",
            "service.notify.reconcile",
            "service.resources.webhooks",
        ):
            monkeypatch.setattr(f"{module}.utcnow", self)

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


def future_monday() -> date:
    """A Monday two or more weeks ahead, it and the Tuesday working days, for the real clock."""
    day = datetime.now(SOFIA).date() + timedelta(days=14)
    day += timedelta(days=(7 - day.weekday()) % 7)
    while public_holiday(day) or public_holiday(day + timedelta(days=1)):
        day += timedelta(days=7)
    return day


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SOFIA)


def sofia(*args: int) -> datetime:
    return datetime(*args, tzinfo=SOFIA)  # type: ignore[misc]


def rows(session: Session, booking_id: int | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if booking_id is not None:
        query = query.where(OutboxMessage.booking_id == booking_id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def summary(session: Session, booking_id: int) -> list[tuple[str, str, datetime]]:
    """(kind, status, due_at in Sofia) of a booking's messages."""
    return [(m.kind, m.status, m.due_at.astimezone(SOFIA)) for m in rows(session, booking_id)]
