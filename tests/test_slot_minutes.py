"""The slot search on integer minutes offers exactly what the datetime search offered.

`old_slots_for` is the datetime rule availability used before (per grid instant, datetime
arithmetic), kept here as the reference: the table runs both over DST days (23 and 25 hours),
buffers, travel, opening and working hours, closures, time off and instants that are not
whole minutes, and they must agree slot for slot.
"""

from __future__ import annotations

import bisect
import random
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from service.booking.availability import HeldSpan, Slot, Window, slots_for
from service.booking.calendar_rules import closed_reason
from service.booking.policy import BookingPolicy
from service.booking.slot_minutes import free_starts, merge, minute_ceil, minute_floor
from service.plumbing.clock import SOFIA, sofia_instant, to_sofia

GRID = timedelta(minutes=15)


# --- the datetime rule, as service/booking/availability.py had it -------------------------------------


def _intersect(a: list[tuple[time, time]], b: list[tuple[time, time]]) -> list[tuple[time, time]]:
    return [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if max(s1, s2) < min(e1, e2)]


def _days(window: Window) -> list[date]:
    first, last = to_sofia(window.start).date(), to_sofia(window.end).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _candidate_offices(resource: Any, office: Any, offices: dict[int, Any]) -> list[Any]:
    if resource.kind == "room":
        own = offices.get(resource.room_office_id or -1)
        return [own] if own is not None and (office is None or own.id == office.id) else []
    if office is not None:
        return [office]
    return [offices[h.office_id] for h in resource.working_hours if h.office_id in offices]


def _open_spans(resource: Any, office: Any, modality: str, offices: Any, window: Window) -> list:
    spans = []
    for day in _days(window):
        for where in _candidate_offices(resource, office, offices):
            if closed_reason(where, day):
                continue
            opening = [
                (h.opens, h.closes) for h in where.opening_hours if h.weekday == day.weekday()
            ]
            if resource.is_person:
                works_at = where.id if modality == "in_person" else None
                hours = [
                    (h.starts, h.ends)
                    for h in resource.working_hours
                    if h.weekday == day.weekday() and (works_at is None or h.office_id == works_at)
                ]
                opening = _intersect(opening, hours)
            for opens, closes in opening:
                spans.append((sofia_instant(day, opens), sofia_instant(day, closes), where))
    return spans


def _forbidden_starts(resource, holds, time_off, duration, office, modality, policy) -> list:
    buffer = policy.buffer if resource.is_person else timedelta(0)
    bad = [(starts - duration, ends) for starts, ends in time_off]
    for hold in holds:
        bad.append((hold.starts_at - duration - buffer, hold.blocked_until))
        drives = resource.is_person and modality == "in_person" == hold.modality
        if drives and hold.office_code is not None:
            travel = policy.travel(hold.office_code, office.code)
            if travel > policy.buffer:
                bad.append((hold.starts_at - duration - travel, hold.ends_at + travel))
    bad.sort()
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in bad:
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _grid_ceil(instant: datetime) -> datetime:
    minutes = instant.minute % 15
    base = instant.replace(second=0, microsecond=0)
    if minutes == 0 and instant == base:
        return base
    return base + timedelta(minutes=15 - minutes)


def old_slots_for(
    resource, *, office, modality, offices, holds, time_off, window, policy, not_before
):
    slots = []
    lower = max(window.start, not_before)
    duration = window.duration
    by_office: dict[int, tuple[list, list]] = {}
    for span_start, span_end, where in _open_spans(resource, office, modality, offices, window):
        if where.id not in by_office:
            merged = _forbidden_starts(
                resource, holds, time_off, window.duration, where, modality, policy
            )
            by_office[where.id] = (merged, [lo for lo, _ in merged])
        forbidden, lows = by_office[where.id]
        t = _grid_ceil(max(span_start, lower))
        last = min(span_end, window.end) - duration
        while t <= last:
            i = bisect.bisect_left(lows, t) - 1
            if not (i >= 0 and forbidden[i][0] < t < forbidden[i][1]):
                slots.append(Slot(t, t + duration))
            t += GRID
    unique = {s.starts_at: s for s in slots}
    return [unique[k] for k in sorted(unique)]


# --- the table ----------------------------------------------------------------------------------


def _office(id_: int, code: str, hours: list[tuple[time, time]], closed: tuple[date, ...] = ()):
    return SimpleNamespace(
        id=id_,
        code=code,
        opening_hours=[
            SimpleNamespace(weekday=d, opens=o, closes=c) for d in range(7) for o, c in hours
        ],
        closures=[SimpleNamespace(day=d, reason="works") for d in closed],
    )


def _person(hours: list[tuple[int, time, time]], kind: str = "interpreter"):
    return SimpleNamespace(
        id=1,
        kind=kind,
        is_person=True,
        room_office_id=None,
        working_hours=[
            SimpleNamespace(weekday=d, office_id=o, starts=s, ends=e)
            for d in range(7)
            for o, s, e in hours
        ],
    )


ALL_DAY = [(time(0), time(23, 59))]
NIGHT = [(time(1, 30), time(5, 15))]  # across 03:00-04:00 that DST skips or repeats
SPRING, AUTUMN = date(2027, 3, 28), date(2027, 10, 31)  # 23 and 25 hours in Sofia
OFFICES = {
    1: _office(1, "sofia", ALL_DAY + NIGHT, closed=(date(2027, 3, 29),)),
    2: _office(2, "burgas", [(time(9), time(17, 30))]),
    3: _office(3, "harmanli", NIGHT),
}
POLICY = BookingPolicy(travel_minutes={("burgas", "sofia"): 240, ("harmanli", "sofia"): 180})


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SOFIA).astimezone(UTC)


def _hold(
    starts: datetime, minutes: int, modality: str = "in_person", office: str | None = "sofia"
):
    ends = starts + timedelta(minutes=minutes)
    return HeldSpan(starts, ends, ends + POLICY.buffer, modality, office)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for day in (SPRING, AUTUMN, date(2027, 2, 2)):
        window = Window(_at(day, 0), _at(day + timedelta(days=2), 0), timedelta(minutes=60))
        person = _person(
            [(1, time(0), time(23, 59)), (2, time(8), time(16)), (3, time(0), time(12))]
        )
        holds = [
            _hold(_at(day, 2, 30), 60),
            _hold(_at(day, 5, 15), 90, office="burgas"),
            _hold(_at(day, 7, 0), 60),  # touches the next: 08:15 + 60 + 15 = 09:30
            _hold(_at(day, 9, 30), 45, office="harmanli"),
            _hold(_at(day, 12, 0), 30, modality="video", office=None),
            _hold(_at(day + timedelta(days=1), 10, 7, 30), 50),  # not whole minutes
        ]
        away = [(_at(day, 14, 0, 20), _at(day, 15, 44, 59))]
        base = dict(
            resource=person,
            office=OFFICES[1],
            modality="in_person",
            offices=OFFICES,
            holds=holds,
            time_off=away,
            window=window,
            policy=POLICY,
            not_before=_at(day, 0) - timedelta(days=1),
        )
        cases += [
            (f"{day} in person at sofia", base),
            (f"{day} video anywhere", base | {"office": None, "modality": "video"}),
            (f"{day} in person anywhere", base | {"office": None}),
            (f"{day} at harmanli at night", base | {"office": OFFICES[3]}),
            (f"{day} from a time off the grid", base | {"not_before": _at(day, 3, 7, 13)}),
            (
                f"{day} 25-minute sessions, window off the grid",
                base
                | {"window": Window(_at(day, 1, 2, 3), _at(day, 22, 58, 1), timedelta(minutes=25))},
            ),
            (
                f"{day} a room",
                base
                | {
                    "resource": SimpleNamespace(
                        id=2, kind="room", is_person=False, room_office_id=1, working_hours=[]
                    )
                },
            ),
        ]
    return cases


@pytest.mark.parametrize("case", [c for _, c in _cases()], ids=[name for name, _ in _cases()])
def test_integer_minutes_offer_what_the_datetime_rule_offered(case):
    expected = old_slots_for(**case)
    assert expected, "the case should offer something"
    assert slots_for(**case) == expected


def test_dst_days_offer_their_real_hours():
    person = _person([(1, time(0), time(23, 59))])
    for day, hours in ((SPRING, 23), (AUTUMN, 25)):
        window = Window(_at(day, 0), _at(day + timedelta(days=1), 0), timedelta(minutes=60))
        slots = slots_for(
            person,
            office=OFFICES[1],
            modality="in_person",
            offices={1: OFFICES[1]},
            holds=[],
            time_off=[],
            window=window,
            policy=POLICY,
            not_before=window.start,
        )
        # 00:00-23:59 is 23 or 25 hours less a minute: the last start is 22:45 wall time
        assert len(slots) == (hours - 1) * 4
        assert slots == sorted(set(slots), key=lambda s: s.starts_at)


def test_rounding_outwards_keeps_open_intervals_exact():
    lo = datetime(2027, 2, 2, 10, 0, 30, tzinfo=UTC)
    hi = datetime(2027, 2, 2, 10, 45, 0, 1, tzinfo=UTC)
    assert minute_floor(lo) + 1 == minute_ceil(lo)
    assert minute_floor(hi) + 1 == minute_ceil(hi)
    whole = datetime(2027, 2, 2, 10, 45, tzinfo=UTC)
    assert minute_floor(whole) == minute_ceil(whole)


def test_free_starts_agrees_with_a_plain_scan_of_the_merged_intervals():
    rng = random.Random(7)
    for _ in range(500):
        bad = []
        for _ in range(rng.randint(0, 8)):
            lo = rng.randint(-50, 400)
            bad.append((lo, lo + rng.randint(1, 120)))
        lows, highs = merge(bad)
        merged = list(zip(lows, highs, strict=True))
        for t in range(-60, 560):
            # merging keeps every forbidden minute and adds none, not even where two touch
            assert any(lo < t < hi for lo, hi in merged) == any(lo < t < hi for lo, hi in bad)
        first = rng.randint(-3, 20) * 15
        last = first + rng.randint(-30, 400)
        assert free_starts(first, last, lows, highs) == [
            t for t in range(first, last + 1, 15) if not any(lo < t < hi for lo, hi in merged)
        ]


def test_a_start_exactly_between_two_touching_intervals_is_offered():
    lows, highs = merge([(0, 60), (60, 120)])
    assert (lows, highs) == ([0, 60], [60, 120])
    assert free_starts(0, 120, lows, highs) == [0, 60, 120]
