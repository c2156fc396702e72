"""A feed subscribed by its plain URL shows series that outlive its window at the right hour.

The window (90 days back, 365 ahead) decides which series are in the feed, but a series in it
runs to its own end.  Thunderbird (ical.js) and GNOME Calendar (libical) expand the feed with
its VTIMEZONE; both must give exactly the service's own occurrence list, after every clock
change up to the series' end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from service.plumbing.clock import SOFIA
from tests.calendars.test_icaljs import icaljs_expand
from tests.clients.libical import libical_expand
from tests.feed_helpers import fetch, subscribe, working_day
from tests.test_feeds_series_rrule import live, utc_listed
from tests.test_series import create, series_body, teacher_and_room

FAR = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2035, 1, 1, tzinfo=UTC))


def weekly_for_a_year(client, admin, resources, start: datetime, day: str) -> list[dict]:
    """Create a year-long weekly series from start; return its occurrences still held."""
    body = series_body(resources, start, 90, rrule=f"FREQ=WEEKLY;BYDAY={day};COUNT=52")
    answer = create(client, admin, body)
    assert answer.status_code == 201, answer.json
    return live(client, admin, answer.json["id"])


def offset_changes(rows: list[dict]) -> int:
    offsets = [datetime.fromisoformat(o["starts_at"]).utcoffset() for o in rows]
    return sum(1 for before, after in pairwise(offsets) if before != after)


def on_weekday(start: datetime, weekday: int) -> datetime:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def crossing_two_clock_changes(start: datetime) -> datetime:
    """Move `start` back by weeks until 52 weekly dates from it cross both clock changes.

    A year of Mondays that starts just after a change ends just before the next one of that
    kind, and would see only one, on the days of the year when the suite runs then.
    """

    def changes(first: datetime) -> int:
        offsets = [(first + timedelta(weeks=k)).utcoffset() for k in range(52)]
        return sum(1 for before, after in pairwise(offsets) if before != after)

    while changes(start) < 2:
        start -= timedelta(weeks=1)
    return start


def test_year_long_series_past_the_window_match_thunderbird_and_gnome_calendar(
    client, factory, admin, node, libical, tmp_path: Path
) -> None:
    teacher, room = teacher_and_room(factory)
    # Both start inside the window; the later one ends almost a year after the window does.
    late = crossing_two_clock_changes(on_weekday(working_day(350, hour=15), 0))
    middle = crossing_two_clock_changes(on_weekday(working_day(150), 2))
    mondays = weekly_for_a_year(client, admin, [teacher.id, room.id], late, "MO")
    wednesdays = weekly_for_a_year(client, admin, [teacher.id, room.id], middle, "WE")
    # Spring and autumn for each: three clock changes, two after the window's last year.
    assert offset_changes(mondays) == offset_changes(wednesdays) == 2
    held = mondays + wednesdays
    window_end = datetime.now(SOFIA) + timedelta(days=366)
    assert min(datetime.fromisoformat(o["starts_at"]) for o in held) < window_end
    assert max(datetime.fromisoformat(o["starts_at"]) for o in held) > window_end + timedelta(
        days=300
    )

    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    answer = fetch(client, feed)  # the plain URL, as a calendar app subscribes to it
    assert answer.status_code == 200

    expected = utc_listed(held)
    seen_by_thunderbird = icaljs_expand(node, answer.data, tmp_path, *FAR)
    seen_by_gnome = libical_expand(libical, answer.data, tmp_path, *FAR)
    assert sorted((o["start"], o["end"]) for o in seen_by_thunderbird) == expected
    assert sorted((o["start"], o["end"]) for o in seen_by_gnome) == expected
