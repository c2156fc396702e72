"""Opening hours, working hours, public holidays and closures, as pure checks on loaded rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from service.models import Office, Resource
from service.plumbing.clock import to_sofia

HOLIDAY_LANGUAGES = {"en": "en_US", "bg": "bg"}  # page locale → the holidays package's


@lru_cache(maxsize=64)
def _bulgarian_holidays(year: int, language: str = "en_US") -> dict[date, str]:
    return dict(holidays.country_holidays("BG", years=year, language=language).items())


def public_holiday(day: date, locale: str = "en") -> str | None:
    """Return the name of the Bulgarian public holiday on `day` (Orthodox Easter included), in
    English or, with locale "bg", in Bulgarian."""
    return _bulgarian_holidays(day.year, HOLIDAY_LANGUAGES.get(locale, "en_US")).get(day)


def closed_reason(office: Office, day: date) -> str | None:
    """Return why `office` is closed on `day` (public holiday or closure), or None."""
    holiday = public_holiday(day)
    if holiday:
        return f"public holiday: {holiday}"
    for closure in office.closures:
        if closure.day == day:
            return f"closure: {closure.reason}"
    return None


def _fits(intervals: Iterable[tuple[time, time]], start: time, end: time) -> bool:
    return any(opens <= start and end <= closes for opens, closes in intervals)


def _local_span(starts_at: datetime, ends_at: datetime) -> tuple[date, time, time] | None:
    start, end = to_sofia(starts_at), to_sofia(ends_at)
    if start.date() != end.date():
        return None
    return start.date(), start.time(), end.time()


def within_opening_hours(office: Office, starts_at: datetime, ends_at: datetime) -> bool:
    span = _local_span(starts_at, ends_at)
    if span is None:
        return False
    day, start, end = span
    intervals = [(h.opens, h.closes) for h in office.opening_hours if h.weekday == day.weekday()]
    return _fits(intervals, start, end)


def within_working_hours(
    resource: Resource, office_id: int | None, starts_at: datetime, ends_at: datetime
) -> bool:
    """Tell whether a person works the whole span (at `office_id`, or anywhere when None)."""
    span = _local_span(starts_at, ends_at)
    if span is None:
        return False
    day, start, end = span
    intervals = [
        (h.starts, h.ends)
        for h in resource.working_hours
        if h.weekday == day.weekday() and (office_id is None or h.office_id == office_id)
    ]
    return _fits(intervals, start, end)


def closed_days(office: Office, first: date, last: date) -> list[tuple[date, str]]:
    """List the days from `first` to `last` on which `office` is closed, with the reason."""
    days = []
    day = first
    while day <= last:
        reason = closed_reason(office, day)
        if reason:
            days.append((day, reason))
        day += timedelta(days=1)
    return days
