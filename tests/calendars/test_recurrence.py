"""Recurring classes keep their local time across DST, as a calendar app expands them."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from calendars import assemble_feed, render_feed, render_single_event, render_vevent
from tests.calendars.scenarios import (
    AUTUMN,
    AUTUMN_MOVED,
    CALENDAR,
    EVENTS,
    ONE_OFF,
    SOFIA,
    SPRING,
    SPRING_MOVED,
    expected_occurrences,
    python_occurrences,
)


@pytest.fixture(scope="module")
def occurrences() -> list:
    return python_occurrences(render_feed(CALENDAR, EVENTS))


def starts(occurrences: list, uid: str) -> list[datetime]:
    return [o.start for o in occurrences if o.uid == uid]


def test_expansion_matches_dateutil_in_local_wall_time(occurrences: list) -> None:
    assert occurrences == expected_occurrences()


def test_spring_series_stays_at_ten_local_across_dst(occurrences: list) -> None:
    moved = SPRING_MOVED.starts_at.astimezone(UTC)
    regular = [s for s in starts(occurrences, SPRING.uid) if s != moved]
    assert len(regular) == 24 - 2 - 1  # COUNT=24, two cancelled, one moved away
    assert {s.astimezone(SOFIA).time() for s in regular} == {time(10)}
    before = [s for s in regular if s < datetime(2027, 3, 28, tzinfo=UTC)]
    after = [s for s in regular if s > datetime(2027, 3, 28, tzinfo=UTC)]
    assert before and after
    assert {s.time() for s in before} == {time(8)}  # EET, UTC+2
    assert {s.time() for s in after} == {time(7)}  # EEST, UTC+3
    assert datetime(2027, 3, 29, 7, tzinfo=UTC) in after  # first Monday after the change


def test_autumn_series_stays_at_ten_local_across_dst(occurrences: list) -> None:
    moved = AUTUMN_MOVED.starts_at.astimezone(UTC)
    regular = [s for s in starts(occurrences, AUTUMN.uid) if s != moved]
    assert {s.astimezone(SOFIA).time() for s in regular} == {time(10)}
    before = [s for s in regular if s < datetime(2026, 10, 25, tzinfo=UTC)]
    after = [s for s in regular if s > datetime(2026, 10, 25, tzinfo=UTC)]
    assert {s.time() for s in before} == {time(7)}
    assert {s.time() for s in after} == {time(8)}
    assert regular[-1] == datetime(2026, 11, 19, 8, tzinfo=UTC)  # UNTIL is inclusive


def test_exdate_removes_cancelled_occurrences(occurrences: list) -> None:
    spring = starts(occurrences, SPRING.uid)
    for cancelled in SPRING.exdates + AUTUMN.exdates:
        assert cancelled.astimezone(UTC) not in spring + starts(occurrences, AUTUMN.uid)
    assert datetime(2027, 3, 1, 8, tzinfo=UTC) in spring  # its neighbours stay


@pytest.mark.parametrize("override", [SPRING_MOVED, AUTUMN_MOVED], ids=["spring", "autumn"])
def test_override_moves_one_occurrence(occurrences: list, override) -> None:
    series = [o for o in occurrences if o.uid == override.uid]
    assert override.recurrence_id.astimezone(UTC) not in [o.start for o in series]
    moved = [o for o in series if o.start == override.starts_at.astimezone(UTC)]
    assert len(moved) == 1
    assert moved[0].end == override.ends_at.astimezone(UTC)


def test_one_off_event_appears_once(occurrences: list) -> None:
    assert starts(occurrences, ONE_OFF.uid) == [datetime(2026, 12, 3, 12, tzinfo=UTC)]


def test_feed_from_stored_pieces_equals_direct_render() -> None:
    pieces = [render_vevent(e, CALENDAR.timezone) for e in EVENTS]
    assert assemble_feed(CALENDAR, pieces) == render_feed(CALENDAR, EVENTS)


def test_single_event_download_expands_like_the_feed() -> None:
    ics = render_single_event(CALENDAR, [SPRING, SPRING_MOVED])
    assert python_occurrences(ics) == expected_occurrences((SPRING, SPRING_MOVED))
