"""Helpers of the feed tests: working days relative to today, subscribing and parsing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import recurring_ical_events
from icalendar import Calendar

from service.booking.calendar_rules import public_holiday
from service.plumbing.clock import SOFIA, to_sofia, utcnow


def working_day(days_from_today: int, hour: int = 10, minute: int = 0) -> datetime:
    """Return hour:minute Sofia time on the first working day at least that many days away."""
    day = to_sofia(utcnow()).date() + timedelta(days=days_from_today)
    while day.weekday() >= 5 or public_holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=SOFIA)


def series_start(
    days_from_today: int, occurrences: int, every_days: int, hour: int = 10, minute: int = 0
) -> datetime:
    """Return hour:minute on the first working day at least that many days away from which
    `occurrences` days, `every_days` apart (FREQ=DAILY: 1, WEEKLY: 7), are all working days."""
    return _run_from(working_day(days_from_today, hour, minute), occurrences, every_days)


def series_start_after(
    after: datetime, occurrences: int, every_days: int, hour: int = 10, minute: int = 0
) -> datetime:
    """Return what `series_start` does, counting from the first working day after `after`."""
    return _run_from(next_working_day(after, hour, minute), occurrences, every_days)


def _run_from(start: datetime, occurrences: int, every_days: int) -> datetime:
    while not all(
        _is_working(start.date() + timedelta(days=every_days * n)) for n in range(occurrences)
    ):
        start = next_working_day(start, start.hour, start.minute)
    return start


def _is_working(day: date) -> bool:
    return day.weekday() < 5 and not public_holiday(day)


def next_working_day(after: datetime, hour: int = 10, minute: int = 0) -> datetime:
    """Return hour:minute Sofia time on the first working day after the day of `after`.

    Two calls of `working_day` with different day counts can land on one Monday (counted from
    a weekend); this one is always a later day.
    """
    day = to_sofia(after).date() + timedelta(days=1)
    while day.weekday() >= 5 or public_holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=SOFIA)


def subscribe(client, headers, **body) -> dict:
    answer = client.post("/api/v1/feeds", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    return answer.json


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fetch(client, feed: dict, query: str = "", **headers):
    """GET a feed by its subscription URL, as a calendar client would."""
    return client.get(path_of(feed["url"]) + query, headers=headers)


def events(ics: bytes, start: date | None = None, end: date | None = None) -> list:
    """Parse with icalendar and expand with recurring_ical_events, sorted by start."""
    calendar = Calendar.from_ical(ics)
    first = start or date(2000, 1, 1)
    last = end or date(2100, 1, 1)
    found = recurring_ical_events.of(calendar).between(first, last)
    return sorted(found, key=lambda e: (e.decoded("dtstart"), str(e["uid"])))


def uids(ics: bytes) -> list[str]:
    return [str(e["uid"]) for e in events(ics)]


def fold_a_while_ago(session, monkeypatch, seconds: int = 2) -> None:
    """Fold the feeds' change log as the scheduler did `seconds` ago (it folds every 5 s).

    A fold dates its changes a second ahead of its clock, so a date read just after it is
    trusted only a second later; folding "earlier" lets a test revalidate by date at once.
    """
    from service.feeds import changes

    with monkeypatch.context() as patched:
        patched.setattr(changes, "utcnow", lambda: utcnow() - timedelta(seconds=seconds))
        changes.fold_changes(session)
