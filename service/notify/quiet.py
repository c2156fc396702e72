"""Quiet hours in Europe/Sofia wall time, and when a reminder is due around them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from service.notify.settings import QUIET_MARGIN, NotifySettings
from service.plumbing.clock import sofia_instant, to_sofia


def quiet_span(instant: datetime, start: time, end: time) -> tuple[datetime, datetime] | None:
    """Return the (start, end) of the quiet hours `instant` falls in, or None."""
    local = to_sofia(instant)
    day, clock = local.date(), local.time()
    if start <= end:  # e.g. 00:00-06:00, within one day
        if start <= clock < end:
            return sofia_instant(day, start), sofia_instant(day, end)
        return None
    if clock >= start:
        return sofia_instant(day, start), sofia_instant(day + timedelta(days=1), end)
    if clock < end:
        return sofia_instant(day - timedelta(days=1), start), sofia_instant(day, end)
    return None


def reminder_due(starts_at: datetime, offset: timedelta, settings: NotifySettings) -> datetime:
    """Return `offset` before `starts_at`, moved earlier to just before quiet hours if needed."""
    due = starts_at - offset
    span = quiet_span(due, settings.quiet_start, settings.quiet_end)
    return due if span is None else span[0] - QUIET_MARGIN


def quiet_until(now: datetime, settings: NotifySettings) -> datetime | None:
    """Return when the quiet hours around `now` end, or None when `now` is not quiet."""
    span = quiet_span(now, settings.quiet_start, settings.quiet_end)
    return None if span is None else span[1]
