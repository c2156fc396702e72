"""Reading REMINDER_OFFSETS and QUIET_HOURS, and quiet spans around midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from service.notify.quiet import quiet_span, quiet_until, reminder_due
from service.notify.settings import NotifySettings, parse_offsets, parse_quiet_hours
from tests.outbox_support import sofia

H = timedelta(hours=1)


def test_offsets_for_all_types_or_per_type():
    assert parse_offsets("24,2") == ((24 * H, 2 * H), {})
    assert parse_offsets("interpretation=48;training=72,1.5") == (
        (24 * H, 2 * H),
        {"interpretation": (48 * H,), "training": (72 * H, 1.5 * H)},
    )
    assert parse_offsets({"counselling": [6]}) == ((24 * H, 2 * H), {"counselling": (6 * H,)})
    settings = NotifySettings.from_config({"REMINDER_OFFSETS": "12;training=3"})
    assert settings.reminder_offsets("training") == (3 * H,)
    assert settings.reminder_offsets("counselling") == (12 * H,)


def test_quiet_hours_setting():
    assert parse_quiet_hours("22:30-07:00") == (time(22, 30), time(7))
    with pytest.raises(ValueError):
        parse_quiet_hours("22:30")


def test_quiet_span_crossing_midnight_and_within_a_day():
    start, end = time(21), time(8)
    assert quiet_span(sofia(2027, 3, 1, 20, 59), start, end) is None
    assert quiet_span(sofia(2027, 3, 1, 21, 0), start, end) == (
        sofia(2027, 3, 1, 21, 0),
        sofia(2027, 3, 2, 8, 0),
    )
    assert quiet_span(sofia(2027, 3, 2, 7, 59), start, end) == (
        sofia(2027, 3, 1, 21, 0),
        sofia(2027, 3, 2, 8, 0),
    )
    assert quiet_span(sofia(2027, 3, 2, 8, 0), start, end) is None
    assert quiet_span(sofia(2027, 3, 2, 3, 0), time(1), time(6)) == (
        sofia(2027, 3, 2, 1, 0),
        sofia(2027, 3, 2, 6, 0),
    )


def test_reminder_due_on_dst_mornings_is_20_59_wall_time_the_evening_before():
    settings = NotifySettings()
    # 2 h before 09:00 is 07:00 local on both days (the clocks change at 03:00/04:00).
    spring = reminder_due(sofia(2027, 3, 28, 9, 0), 2 * H, settings)
    autumn = reminder_due(sofia(2027, 10, 31, 9, 0), 2 * H, settings)
    assert spring == sofia(2027, 3, 27, 20, 59) == datetime(2027, 3, 27, 18, 59, tzinfo=UTC)
    assert autumn == sofia(2027, 10, 30, 20, 59) == datetime(2027, 10, 30, 17, 59, tzinfo=UTC)
    assert reminder_due(sofia(2027, 3, 29, 11, 0), 2 * H, settings) == sofia(2027, 3, 29, 9, 0)


def test_quiet_until():
    settings = NotifySettings()
    assert quiet_until(sofia(2027, 3, 1, 23, 0), settings) == sofia(2027, 3, 2, 8, 0)
    assert quiet_until(sofia(2027, 3, 1, 12, 0), settings) is None
