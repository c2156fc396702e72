"""Free slots: the offer of `find_free_slots` agrees slot for slot with `create_booking`.

A slot is offered for a resource when a booking of that resource alone, at that office and in
that modality, would pass every rule: holidays and closures, opening hours, working hours,
time off, existing holds widened by the buffer, and travel between offices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.orm import Session, selectinload

from service.booking.calendar_rules import closed_reason
from service.booking.held_ranges import (
    HELD_FROM,
    HELD_UNTIL,
    dialect_of,
    held_between,
    window_end,
    window_start,
)
from service.booking.policy import BookingPolicy
from service.booking.slot_minutes import (
    EPOCH,
    free_starts,
    grid_ceil,
    instant_of,
    merge,
    minute_ceil,
    minute_floor,
)
from service.interpreters.interpreter_matching import (
    Matching,
    breaches,
    full_days,
    load_interpreter_rows,
    load_matching,
    rank_interpreters,
    refuse_breaking,
)
from service.interpreters.language_match import LanguageOverride, check_language_match, qualifies
from service.models import Beneficiary, Booking, Hold, Office, Resource, TimeOff
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.errors import Invalid

MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


class HeldSpan(NamedTuple):
    """What the slot search reads of an active hold: its times and where its booking is.

    A tuple, as its row is: a week's search makes hundreds.
    """

    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    modality: str
    office_code: str | None


@dataclass(frozen=True)
class ResourceSlots:
    resource_id: int
    slots: list[Slot]
    rank: int | None = None  # an interpreter's place in the ranking, from 1
    reasons: tuple[dict[str, Any], ...] = ()  # why there: {"code": ..., params}


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    duration: timedelta

    def check(self) -> None:
        if self.end <= self.start:
            raise Invalid("end", "The end of the window must come after its start.")
        if self.end - self.start > MAX_WINDOW:
            raise Invalid("end", "Search at most 31 days at a time.")


def _intersect(a: list[tuple[time, time]], b: list[tuple[time, time]]) -> list[tuple[time, time]]:
    return [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if max(s1, s2) < min(e1, e2)]


def _days(window: Window) -> list[date]:
    first, last = to_sofia(window.start).date(), to_sofia(window.end).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class _Calendar:
    """The days of one search and the offices' hours on them, worked out once per search."""

    def __init__(self, window: Window) -> None:
        self.days = _days(window)
        self._minutes: dict[tuple[date, time], int] = {}
        self._opening: dict[tuple[int, date], list[tuple[time, time]]] = {}

    def minute(self, day: date, wall: time) -> int:
        """The epoch minute of a Europe/Sofia wall-clock time (DST as `sofia_instant` has it)."""
        key = (day, wall)
        found = self._minutes.get(key)
        if found is None:
            found = self._minutes[key] = minute_floor(sofia_instant(day, wall))
        return found

    def opening(self, office: Office, day: date) -> list[tuple[time, time]]:
        """The office's opening hours on `day`: none on a public holiday or closure."""
        key = (office.id, day)
        found = self._opening.get(key)
        if found is None:
            weekday = day.weekday()
            found = (
                []
                if closed_reason(office, day)
                else [(h.opens, h.closes) for h in office.opening_hours if h.weekday == weekday]
            )
            self._opening[key] = found
        return found


def _open_spans(
    resource: Resource,
    office: Office | None,
    modality: str,
    offices: dict[int, Office],
    calendar: _Calendar,
) -> list[tuple[int, int, Office]]:
    """Return the spans (epoch minutes) in which the resource could be booked, with the office."""
    spans: list[tuple[int, int, Office]] = []
    candidates = _candidate_offices(resource, office, offices)
    if not candidates:
        return spans
    weekly: dict[int, list[tuple[int, time, time]]] = defaultdict(list)
    if resource.is_person:
        for h in resource.working_hours:
            weekly[h.weekday].append((h.office_id, h.starts, h.ends))
    for day in calendar.days:
        weekday = day.weekday()
        for where in candidates:
            opening = calendar.opening(where, day)
            if resource.is_person and opening:
                works_at = where.id if modality == "in_person" else None
                hours = [
                    (starts, ends)
                    for office_id, starts, ends in weekly.get(weekday, ())
                    if works_at is None or office_id == works_at
                ]
                opening = _intersect(opening, hours)
            for opens, closes in opening:
                spans.append((calendar.minute(day, opens), calendar.minute(day, closes), where))
    return spans


def _candidate_offices(
    resource: Resource, office: Office | None, offices: dict[int, Office]
) -> list[Office]:
    if resource.kind == "room":
        own = offices.get(resource.room_office_id or -1)
        return [own] if own is not None and (office is None or own.id == office.id) else []
    if office is not None:
        return [office]
    return [offices[h.office_id] for h in resource.working_hours if h.office_id in offices]


def _forbidden_starts(
    resource: Resource,
    holds: Sequence[HeldSpan],
    time_off: Sequence[tuple[datetime, datetime]],
    duration: timedelta,
    office: Office,
    modality: str,
    policy: BookingPolicy,
) -> tuple[list[int], list[int]]:
    """Open intervals (epoch minutes) of slot starts that would collide, merged: lows, highs."""
    buffer = policy.buffer if resource.is_person else timedelta(0)
    bad = [(minute_floor(starts - duration), minute_ceil(ends)) for starts, ends in time_off]
    for hold in holds:
        bad.append(
            (minute_floor(hold.starts_at - duration - buffer), minute_ceil(hold.blocked_until))
        )
        drives = resource.is_person and modality == "in_person" == hold.modality
        if drives and hold.office_code is not None:
            travel = policy.travel(hold.office_code, office.code)
            if travel > policy.buffer:
                bad.append(
                    (
                        minute_floor(hold.starts_at - duration - travel),
                        minute_ceil(hold.ends_at + travel),
                    )
                )
    return merge(bad)


def _free_minutes(
    resource: Resource,
    *,
    office: Office | None,
    modality: str,
    offices: dict[int, Office],
    holds: Sequence[HeldSpan],
    time_off: Sequence[tuple[datetime, datetime]],
    window: Window,
    calendar: _Calendar,
    policy: BookingPolicy,
    not_before: datetime,
) -> list[int]:
    """The grid starts (epoch minutes, ascending) of the resource's bookable slots."""
    duration = window.duration
    lower = minute_ceil(max(window.start, not_before))
    until = minute_floor(window.end - duration)  # the latest start the window allows
    length = minute_ceil(EPOCH + duration)  # t + duration <= closes  <=>  t <= closes - length
    # The collisions depend on the office only (travel), not on the day: compute them once.
    by_office: dict[int, tuple[list[int], list[int]]] = {}
    found: list[int] = []
    in_order = True  # one office's spans come day by day: sort only when they do not
    for opens, closes, where in _open_spans(resource, office, modality, offices, calendar):
        forbidden = by_office.get(where.id)
        if forbidden is None:
            forbidden = by_office[where.id] = _forbidden_starts(
                resource, holds, time_off, duration, where, modality, policy
            )
        starts = free_starts(grid_ceil(max(opens, lower)), min(closes - length, until), *forbidden)
        if starts and found and starts[0] <= found[-1]:
            in_order = False
        found.extend(starts)
    return found if in_order else sorted(set(found))


def slots_for(
    resource: Resource,
    *,
    office: Office | None,
    modality: str,
    offices: dict[int, Office],
    holds: Sequence[HeldSpan],
    time_off: Sequence[tuple[datetime, datetime]],
    window: Window,
    policy: BookingPolicy,
    not_before: datetime,
) -> list[Slot]:
    """The resource's bookable slots of `window.duration` on the 15-minute grid, in order."""
    minutes = _free_minutes(
        resource,
        office=office,
        modality=modality,
        offices=offices,
        holds=holds,
        time_off=time_off,
        window=window,
        calendar=_Calendar(window),
        policy=policy,
        not_before=not_before,
    )
    return _SlotMaker(window.duration).slots(minutes)


class _SlotMaker:
    """Slots for epoch minutes; the resources of one search share them (they are frozen)."""

    def __init__(self, duration: timedelta) -> None:
        self.duration = duration
        self._made: dict[int, Slot] = {}

    def slots(self, minutes: Sequence[int]) -> list[Slot]:
        made, out = self._made, []
        for minute in minutes:
            slot = made.get(minute)
            if slot is None:
                starts = instant_of(minute)
                slot = made[minute] = Slot(starts, starts + self.duration)
            out.append(slot)
        return out


@cache
def _held_query(dialect: str) -> Executable:
    return (
        select(
            Hold.resource_id,
            Hold.starts_at,
            Hold.ends_at,
            Hold.blocked_until,
            Booking.modality,
            Office.code,
        )
        .join(Booking, Hold.booking_id == Booking.id)
        .outerjoin(Office, Booking.office_id == Office.id)
        .where(Hold.resource_id.in_(bindparam("ids", expanding=True)), *held_between(dialect))
    )


def _held_spans(
    session: Session, ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[HeldSpan]]:
    """The active holds of these resources that meet (start, end), by resource, as plain rows.

    A week over 30 people is hundreds of holds: ORM objects for them and their bookings cost
    most of a search, so this reads the few columns the search needs, in one query.
    """
    rows = session.execute(
        _held_query(dialect_of(session)), {"ids": list(ids), HELD_FROM: start, HELD_UNTIL: end}
    )
    spans: dict[int, list[HeldSpan]] = defaultdict(list)
    for resource_id, starts_at, ends_at, until, modality, code in rows:
        spans[resource_id].append(HeldSpan(starts_at, ends_at, until, modality, code))
    return spans


@cache
def _time_off_query() -> Executable:
    return select(TimeOff.resource_id, TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.resource_id.in_(bindparam("ids", expanding=True)),
        TimeOff.starts_at < window_end(),
        TimeOff.ends_at > window_start(),
    )


def _time_off(
    session: Session, ids: Sequence[int], window: Window
) -> dict[int, list[tuple[datetime, datetime]]]:
    """The time off of these resources that meets the window, by resource, as (start, end)."""
    away: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = session.execute(
        _time_off_query(), {"ids": list(ids), HELD_FROM: window.start, HELD_UNTIL: window.end}
    )
    for resource_id, starts_at, ends_at in rows:
        away[resource_id].append((starts_at, ends_at))
    return away


def _load_context(
    session: Session, resources: Sequence[Resource], window: Window, policy: BookingPolicy
) -> tuple[
    dict[int, Office], dict[int, list[HeldSpan]], dict[int, list[tuple[datetime, datetime]]]
]:
    reach = max(policy.buffer, policy.longest_travel) + window.duration
    offices = {
        o.id: o
        for o in session.scalars(
            select(Office).options(
                selectinload(Office.opening_hours), selectinload(Office.closures)
            )
        )
    }
    ids = [r.id for r in resources]
    holds = _held_spans(session, ids, window.start - reach, window.end + reach)
    return offices, holds, _time_off(session, ids, window)


def _matching(
    session: Session,
    resources: Sequence[Resource],
    beneficiaries: Sequence[Beneficiary],
    booking_type: str,
    specialities: Collection[str],
) -> Matching | None:
    """What the beneficiaries and the type ask of interpreters; None when nothing is asked."""
    interpreters = [r for r in resources if r.kind == "interpreter"]
    matching = load_matching(session, beneficiaries, booking_type, specialities)
    if not interpreters or not (beneficiaries or matching.required):
        return None
    load_interpreter_rows(session, interpreters)
    return matching


def find_free_slots(
    session: Session,
    resources: Sequence[Resource],
    *,
    office_code: str | None,
    modality: str,
    window: Window,
    policy: BookingPolicy,
    now: datetime | None = None,
    beneficiaries: Sequence[Beneficiary] = (),
    booking_type: str = "interpretation",
    specialities: Collection[str] = (),
    ranked: bool = True,
) -> list[ResourceSlots]:
    """Return, per resource, the bookable slots of `window.duration` on a 15-minute grid.

    Interpreters must pass the matching rules for the `beneficiaries` and `booking_type`
    (`specialities`: of the counsellors the session is with): one who shares no language with
    a beneficiary, is on one's avoid list, is of the other gender than asked or lacks a training
    the session needs is left out; on a day where one more session would pass their hour
    limits, they are offered nothing. With `ranked`, interpreters come best first, with their
    `rank` and `reasons` (service/interpreters/interpreter_ranking.py), in the places interpreters had in
    `resources`; other resources keep their order.
    """
    window.check()
    matching = _matching(session, resources, beneficiaries, booking_type, specialities)
    if matching is not None:
        broken = breaches([r for r in resources if r.kind == "interpreter"], matching)
        resources = [
            r
            for r in resources
            if r.kind != "interpreter" or (qualifies(r, beneficiaries) and r.id not in broken)
        ]
    offices, holds, away = _load_context(session, resources, window, policy)
    office = next((o for o in offices.values() if o.code == office_code), None)
    if office_code is not None and office is None:
        raise Invalid("office", f"No office with code {office_code!r}.")
    interpreters = [r for r in resources if r.kind == "interpreter"]
    full = full_days(
        session,
        interpreters,
        start=window.start,
        end=window.end,
        booking_type=booking_type,
        duration=window.duration,
        policy=policy,
    )
    calendar, made = _Calendar(window), _SlotMaker(window.duration)
    not_before = now or utcnow()
    found = []
    for r in resources:
        minutes = _free_minutes(
            r,
            office=office,
            modality=modality,
            offices=offices,
            holds=holds[r.id],
            time_off=away[r.id],
            window=window,
            calendar=calendar,
            policy=policy,
            not_before=not_before,
        )
        found.append(ResourceSlots(r.id, made.slots(_outside(minutes, full.get(r.id), calendar))))
    if not ranked or not interpreters:
        return found
    ranking = rank_interpreters(
        session,
        interpreters,
        matching=matching,
        beneficiary_ids=[b.id for b in beneficiaries],
        start=window.start,
        end=window.end,
        office_code=office_code,
        modality=modality,
        held=holds,
    )
    best_first = iter(
        sorted(
            (
                ResourceSlots(
                    f.resource_id,
                    f.slots,
                    ranking[f.resource_id].rank,
                    tuple(reason.as_dict() for reason in ranking[f.resource_id].reasons),
                )
                for f in found
                if f.resource_id in ranking
            ),
            key=lambda f: f.rank or 0,
        )
    )
    return [next(best_first) if f.resource_id in ranking else f for f in found]


def _outside(minutes: list[int], days: set[date] | None, calendar: _Calendar) -> list[int]:
    """The slot starts (epoch minutes) on none of `days` (Europe/Sofia)."""
    if not days:
        return minutes
    midnight = time(0)
    spans = [
        (calendar.minute(day, midnight), calendar.minute(day + timedelta(days=1), midnight))
        for day in days
    ]
    return [t for t in minutes if not any(lo <= t < hi for lo, hi in spans)]


def suggest_slots(
    session: Session,
    resources: Sequence[Resource],
    *,
    office_code: str | None,
    modality: str,
    window: Window,
    policy: BookingPolicy,
    limit: int,
    now: datetime | None = None,
    beneficiaries: Sequence[Beneficiary] = (),
    booking_type: str = "interpretation",
) -> list[Slot]:
    """Return the first `limit` slots in which all the given resources are free together.

    An interpreter who shares no language with a beneficiary (LanguageMismatch) or breaks the
    avoid, gender or training rule for them and the booking type (InterpreterRuleBroken) is
    refused, as booking refuses them without an override; days on which the session would
    pass an interpreter's hour limits offer no slot.
    """
    check_language_match(resources, beneficiaries, LanguageOverride())
    specialities = {s for r in resources if r.kind == "counsellor" for s in r.specialities}
    matching = _matching(session, resources, beneficiaries, booking_type, specialities)
    if matching is not None:
        refuse_breaking(resources, matching)
    per_resource = find_free_slots(
        session,
        resources,
        office_code=office_code,
        modality=modality,
        window=window,
        policy=policy,
        now=now,
        booking_type=booking_type,
        ranked=False,
    )
    if not per_resource:
        return []
    common = set.intersection(*({s.starts_at for s in rs.slots} for rs in per_resource))
    return [Slot(t, t + window.duration) for t in sorted(common)[:limit]]
