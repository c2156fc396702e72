"""Free/busy output lists merged, sorted, clipped busy periods in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from calendars import BusyPeriod, render_freebusy
from tests.calendars.scenarios import local

START = local(2027, 3, 29, 0)
END = local(2027, 3, 30, 0)
STAMP = datetime(2027, 3, 20, 12, tzinfo=UTC)
BUSY = [
    BusyPeriod(local(2027, 3, 29, 14), local(2027, 3, 29, 15)),  # out of order
    BusyPeriod(local(2027, 3, 29, 10), local(2027, 3, 29, 11)),
    BusyPeriod(local(2027, 3, 29, 10, 30), local(2027, 3, 29, 12)),  # overlaps the previous
    BusyPeriod(local(2027, 3, 29, 12), local(2027, 3, 29, 12, 30)),  # touches it
    BusyPeriod(local(2027, 3, 28, 22), local(2027, 3, 29, 1)),  # starts before the range
    BusyPeriod(local(2027, 3, 30, 9), local(2027, 3, 30, 10)),  # after the range
]


def render() -> bytes:
    return render_freebusy("Устни преводачи", "interpreters@zapis.test", START, END, BUSY, STAMP)


def test_freebusy_parses_and_lists_merged_periods() -> None:
    (vfreebusy,) = Calendar.from_ical(render()).walk("VFREEBUSY")
    periods = [p.dt for p in vfreebusy["FREEBUSY"]]
    assert periods == [
        (datetime(2027, 3, 28, 21, tzinfo=UTC), datetime(2027, 3, 28, 22, tzinfo=UTC)),
        (datetime(2027, 3, 29, 7, tzinfo=UTC), datetime(2027, 3, 29, 9, 30, tzinfo=UTC)),
        (datetime(2027, 3, 29, 11, tzinfo=UTC), datetime(2027, 3, 29, 12, tzinfo=UTC)),
    ]
    assert vfreebusy.decoded("DTSTART") == datetime(2027, 3, 28, 21, tzinfo=UTC)
    assert vfreebusy.decoded("DTEND") == datetime(2027, 3, 29, 21, tzinfo=UTC)
    assert vfreebusy.decoded("DTSTAMP") == STAMP
    assert str(vfreebusy["ORGANIZER"]) == "mailto:interpreters@zapis.test"
    assert str(vfreebusy["UID"]).endswith("@zapis")


def test_freebusy_lines_are_utc_and_deterministic() -> None:
    data = render()
    assert data == render()
    assert b"FREEBUSY;VALUE=PERIOD;FBTYPE=BUSY:20270329T070000Z/20270329T093000Z\r\n" in data
    assert b"DTSTART:20270328T210000Z\r\n" in data
    assert b"METHOD:PUBLISH\r\n" in data
    assert b"TZID" not in data


def test_freebusy_without_busy_time_has_no_periods() -> None:
    data = render_freebusy("x", "mailto:a@zapis.test", START, END, [], STAMP)
    (vfreebusy,) = Calendar.from_ical(data).walk("VFREEBUSY")
    assert "FREEBUSY" not in vfreebusy


def test_freebusy_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BusyPeriod(datetime(2027, 3, 29, 10), local(2027, 3, 29, 11))
    with pytest.raises(ValueError, match="after"):
        BusyPeriod(local(2027, 3, 29, 11), local(2027, 3, 29, 10))
    with pytest.raises(ValueError, match="owner"):
        render_freebusy("x", "Sofia office", START, END, [], STAMP)
    with pytest.raises(ValueError, match="timezone-aware"):
        render_freebusy("x", "a@zapis.test", START, END, [], datetime(2027, 3, 20))
