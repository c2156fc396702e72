"""The VTIMEZONE gives zoneinfo's offset at every instant from 2000 to 2100, whatever the window.

The observances are expanded here with python-dateutil (RRULE and RDATE), independently of
calendars/vtimezone.py, and their UTC changes compared with those of zoneinfo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component

from calendars import assemble_feed, render_single_event, render_vtimezone
from tests.calendars.scenarios import CALENDAR, SPRING

START = datetime(2000, 1, 2, tzinfo=UTC)  # 1 January 00:00 local, in every zone
END = datetime(2101, 1, 1, tzinfo=UTC)
Change = tuple[datetime, timedelta]


def zoneinfo_changes(zone: ZoneInfo) -> list[Change]:
    """Return each (UTC instant, new offset) at which zone changes between START and END."""
    changes = []
    day = START
    while day < END:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = day, after  # bisect to the second of the change
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                same = middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            offset = high.astimezone(zone).utcoffset()
            assert offset is not None
            changes.append((high, offset))
        day = after
    return changes


def onsets(observance: Component) -> list[datetime]:
    """Expand one STANDARD/DAYLIGHT's local onsets (DTSTART, RRULE, RDATE) up to END."""
    start = observance.decoded("DTSTART")
    found = [start]
    if "RRULE" in observance:
        rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
        found += rule.between(start, END.replace(tzinfo=None), inc=True)
    rdates = observance.get("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        found += [value.dt for value in rdate.dts]
    return sorted(set(found))


def vtimezone_changes(ics: bytes) -> tuple[timedelta, list[Change]]:
    """Return the VTIMEZONE's offset at START and each (UTC instant, offset) change after it."""
    (vtimezone,) = Calendar.from_ical(ics).walk("VTIMEZONE")
    moments: list[Change] = []
    for observance in vtimezone.walk("STANDARD") + vtimezone.walk("DAYLIGHT"):
        offset_from, offset_to = (
            observance.decoded("TZOFFSETFROM"),
            observance.decoded("TZOFFSETTO"),
        )
        for onset in onsets(observance):  # RFC 5545: an onset is local time in TZOFFSETFROM
            moments.append(((onset - offset_from).replace(tzinfo=UTC), offset_to))
    moments.sort()
    assert moments[0][0] <= START, "the VTIMEZONE starts after 2000"
    offset = [o for instant, o in moments if instant <= START][-1]
    changes: list[Change] = []
    for instant, new in moments:
        if START < instant < END and new != (changes[-1][1] if changes else offset):
            changes.append((instant, new))
    return offset, changes


@pytest.mark.parametrize(
    "window",
    [(date(2026, 1, 1), date(2028, 1, 1)), (date(2020, 1, 1), date(2040, 1, 1)), None],
    ids=["feed-window", "default-window", "no-window"],
)
def test_sofia_vtimezone_matches_zoneinfo_at_every_instant_from_2000_to_2100(window) -> None:
    zone = ZoneInfo("Europe/Sofia")
    ics = assemble_feed(CALENDAR, [], window)

    offset, changes = vtimezone_changes(ics)

    assert offset == START.astimezone(zone).utcoffset()
    expected = zoneinfo_changes(zone)
    assert len(expected) == 2 * 101
    assert changes == expected


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_other_zones_match_zoneinfo_too(tz: str) -> None:
    offset, changes = vtimezone_changes(render_vtimezone(tz, date(2026, 1, 1), date(2027, 1, 1)))
    assert offset == START.astimezone(ZoneInfo(tz)).utcoffset()
    assert changes == zoneinfo_changes(ZoneInfo(tz))


def test_sofia_uses_the_yearly_rules_clients_write_themselves() -> None:
    ics = render_vtimezone("Europe/Sofia", date(2026, 1, 1), date(2028, 1, 1)).decode()
    assert (
        "BEGIN:DAYLIGHT\r\nDTSTART:20000326T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in ics
    )
    assert (
        "BEGIN:STANDARD\r\nDTSTART:20001029T040000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
        in ics
    )
    assert "RDATE" not in ics
    assert "only works" not in ics  # icalendar's COMMENT with the window's end is gone


def test_a_download_of_a_series_is_covered_past_its_end() -> None:
    _offset, changes = vtimezone_changes(render_single_event(CALENDAR, [SPRING]))
    assert changes == zoneinfo_changes(ZoneInfo("Europe/Sofia"))
