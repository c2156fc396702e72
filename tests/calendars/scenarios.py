"""Shared test data: class series crossing both 2026/2027 DST changes in Sofia.

``expected_occurrences`` computes what a calendar user should see with
python-dateutil in local wall time, independently of icalendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import Calendar

from calendars import FeedCalendar, FeedEvent

SOFIA = ZoneInfo("Europe/Sofia")
STAMP = datetime(2026, 9, 1, 9, 30, tzinfo=SOFIA)
CALENDAR = FeedCalendar(
    name="Класове — София",
    description="Курсове по български език в офиса в София",
    language="bg",
)
WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_END = datetime(2028, 1, 1, tzinfo=UTC)


def local(*args: int) -> datetime:
    """Build an aware Europe/Sofia datetime from wall-clock fields."""
    return datetime(*args, tzinfo=SOFIA)  # type: ignore[misc]


# Spring: Mondays and Wednesdays 10:00-12:00 from Monday 2027-03-01, across 2027-03-28.
SPRING = FeedEvent(
    uid="class-spring@zapis.test",
    starts_at=local(2027, 3, 1, 10),
    ends_at=local(2027, 3, 1, 12),
    summary="Български език A1",
    location="София, офис на мисията",
    categories=("class", "Sofia"),
    rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24",
    exdates=(local(2027, 3, 3, 10), local(2027, 4, 5, 10)),  # cancelled, before and after DST
    sequence=2,
    created=STAMP,
    last_modified=STAMP,
)
# The Wednesday 2027-03-24 class (before DST) moves to Thursday 2027-04-01 15:00 (after DST).
SPRING_MOVED = FeedEvent(
    uid=SPRING.uid,
    recurrence_id=local(2027, 3, 24, 10),
    starts_at=local(2027, 4, 1, 15),
    ends_at=local(2027, 4, 1, 17),
    summary="Български език A1 (преместен)",
    sequence=3,
    created=STAMP,
    last_modified=STAMP + timedelta(days=1),
)
# Autumn: Tuesdays and Thursdays 10:00-11:30 until 2026-11-19, across 2026-10-25.
AUTUMN = FeedEvent(
    uid="class-autumn@zapis.test",
    starts_at=local(2026, 10, 6, 10),
    ends_at=local(2026, 10, 6, 11, 30),
    summary="Счетоводство за начинаещи",
    rrule="FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261119T215959Z",
    exdates=(local(2026, 10, 27, 10),),
    created=STAMP,
    last_modified=STAMP,
)
# Thursday 2026-10-22 (summer time) moves to Monday 2026-10-26 09:00 (winter time).
AUTUMN_MOVED = FeedEvent(
    uid=AUTUMN.uid,
    recurrence_id=local(2026, 10, 22, 10),
    starts_at=local(2026, 10, 26, 9),
    ends_at=local(2026, 10, 26, 10, 30),
    summary="Счетоводство за начинаещи (преместен)",
    sequence=1,
    created=STAMP,
    last_modified=STAMP,
)
ONE_OFF = FeedEvent(
    uid="interpreting-17@zapis.test",
    starts_at=local(2026, 12, 3, 14),
    ends_at=local(2026, 12, 3, 15),
    summary="Устен превод: арабски",
    status="TENTATIVE",
    created=STAMP,
    last_modified=STAMP,
)
EVENTS = (SPRING, SPRING_MOVED, AUTUMN, AUTUMN_MOVED, ONE_OFF)


@dataclass(frozen=True, order=True)
class Occurrence:
    """What a calendar shows: when (in UTC) and which event."""

    start: datetime
    end: datetime
    uid: str

    def as_json(self) -> dict[str, str]:
        return {"uid": self.uid, "start": _iso(self.start), "end": _iso(self.end)}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_occurrences(events: tuple[FeedEvent, ...] = EVENTS) -> list[Occurrence]:
    """Expand events with dateutil in Sofia wall time, applying EXDATEs and overrides."""
    moved = {(e.uid, e.recurrence_id): e for e in events if e.recurrence_id is not None}
    result: list[Occurrence] = []
    for event in events:
        if event.recurrence_id is not None:
            continue
        duration = event.ends_at - event.starts_at
        starts = (
            list(rrulestr(event.rrule, dtstart=event.starts_at.astimezone(SOFIA)))
            if event.rrule
            else [event.starts_at]
        )
        for start in starts:
            if start in event.exdates:
                continue
            override = moved.get((event.uid, start))
            if override is not None:
                result.append(Occurrence(override.starts_at, override.ends_at, event.uid))
            else:
                # Wall-clock arithmetic keeps 10:00 at 10:00 whatever the UTC offset.
                end = (start.replace(tzinfo=None) + duration).replace(tzinfo=SOFIA)
                result.append(Occurrence(start, end, event.uid))
    return sorted(Occurrence(o.start.astimezone(UTC), o.end.astimezone(UTC), o.uid) for o in result)


def python_occurrences(ics: bytes) -> list[Occurrence]:
    """Parse ics with icalendar and expand it with recurring_ical_events."""
    calendar = Calendar.from_ical(ics)
    expanded = recurring_ical_events.of(calendar).between(WINDOW_START, WINDOW_END)
    return sorted(
        Occurrence(
            e.decoded("DTSTART").astimezone(UTC),
            e.decoded("DTEND").astimezone(UTC),
            str(e["UID"]),
        )
        for e in expanded
    )
