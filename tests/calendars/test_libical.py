"""GNOME Calendar's and Evolution's parser (libical) expands our feeds to the same occurrences.

Needs Debian's python3 with gir1.2-ical-3.0 (see tests/clients/libical.py); when it is
missing the test fails, it is never skipped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from calendars import FeedEvent, assemble_feed, render_feed, render_single_event, render_vevent
from tests.calendars.scenarios import (
    CALENDAR,
    EVENTS,
    SPRING,
    SPRING_MOVED,
    STAMP,
    WINDOW_END,
    WINDOW_START,
    expected_occurrences,
    local,
)
from tests.calendars.test_icaljs import as_json, icaljs_expand
from tests.clients.libical import libical_expand

# Mondays 18:00 from 29 November 2027 for a year: past a feed window ending in early
# December 2027, across the clock changes of 26 March and 29 October 2028.
PAST_THE_WINDOW = FeedEvent(
    uid="class-evening@zapis.test",
    starts_at=local(2027, 11, 29, 18),
    ends_at=local(2027, 11, 29, 19, 30),
    summary="Български език A2",
    rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20281127T235959Z",
    created=STAMP,
    last_modified=STAMP,
)
LATER = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))


def test_libical_matches_expected_across_both_dst_changes(libical: str, tmp_path: Path) -> None:
    ics = render_feed(CALENDAR, EVENTS)
    seen = libical_expand(libical, ics, tmp_path, WINDOW_START, WINDOW_END)
    assert seen == as_json(expected_occurrences())
    spring = [o["start"] for o in seen if o["uid"] == SPRING.uid]
    assert "2027-03-22T08:00:00Z" in spring  # 10:00 EET
    assert "2027-03-29T07:00:00Z" in spring  # 10:00 EEST
    assert "2027-04-01T12:00:00Z" in spring  # moved to Thursday 15:00 local


def test_libical_reads_single_event_download(libical: str, tmp_path: Path) -> None:
    ics = render_single_event(CALENDAR, [SPRING, SPRING_MOVED])
    seen = libical_expand(libical, ics, tmp_path, WINDOW_START, WINDOW_END)
    assert seen == as_json(expected_occurrences((SPRING, SPRING_MOVED)))


def test_a_series_running_past_the_feed_window_keeps_its_hour_in_both_clients(
    libical: str, node: str, tmp_path: Path
) -> None:
    """The service joins a feed with the VTIMEZONE of its window's years (here 2026-2027)."""
    window = (date(2026, 1, 1), date(2028, 1, 1))
    ics = assemble_feed(CALENDAR, [render_vevent(PAST_THE_WINDOW)], window)
    expected = as_json(expected_occurrences((PAST_THE_WINDOW,)))
    assert len(expected) == 53
    assert {"start": "2028-03-20T16:00:00Z"}.items() <= expected[16].items()  # 18:00 EET
    assert {"start": "2028-03-27T15:00:00Z"}.items() <= expected[17].items()  # 18:00 EEST
    assert expected[-1]["start"] == "2028-11-27T16:00:00Z"  # 18:00 EET again

    assert libical_expand(libical, ics, tmp_path, *LATER) == expected
    assert icaljs_expand(node, ics, tmp_path, *LATER) == expected
