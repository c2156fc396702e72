"""Free slots: the offer of `find_free_slots` agrees slot for slot with `create_booking`.

A slot is offered for a resource when a booking of that resource alone, at that office and in
that modality, would pass every rule: holidays and closures, opening hours, working hours,
time off, existing holds widened by the buffer, and travel between offices.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload

from service.calendar_rules import closed_reason
from service.clock import sofia_instant, to_sofia, utcnow
from service.columns import UTCDateTime
from service.errors import Invalid
from service.interpreter_matching import (
    Matching,
    breaches,
    full_days,
    load_interpreter_rows,
    load_matching,
    rank_interpreters,
    refuse_breaking,
)
from service.language_match import LanguageOverride, check_language_match, qualifies
from service.models import Beneficiary, Booking, Hold, Office, Resource, TimeOff
from service.policy import BookingPolicy

GRID = timedelta(minutes=15)
MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class HeldSpan:
    """What the slot search reads of an active hold: its times and where its booking is."""

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


def _open_spans(
    resource: Resource,
    office: Office | None,
    modality: str,
    offices: dict[int, Office],
    window: Window,
) -> list[tuple[datetime, datetime, Office]]:
    """Return the UTC spans in which the resource could be booked, each with its office."""
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
    time_off: Sequence[TimeOff],
    duration: timedelta,
    office: Office,
    modality: str,
    policy: BookingPolicy,
) -> list[tuple[datetime, datetime]]:
    """Open intervals of slot starts that would collide, merged and sorted."""
    buffer = policy.buffer if resource.is_person else timedelta(0)
    bad = [(t.starts_at - duration, t.ends_at) for t in time_off]
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
        if merged and lo <= merged[-1][1]:
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


def slots_for(
    resource: Resource,
    *,
    office: Office | None,
    modality: str,
    offices: dict[int, Office],
    holds: Sequence[HeldSpan],
    time_off: Sequence[TimeOff],
    window: Window,
    policy: BookingPolicy,
    not_before: datetime,
) -> list[Slot]:
    slots = []
    lower = max(window.start, not_before)
    duration = window.duration
    # The collisions depend on the office only (travel), not on the day: compute them once.
    by_office: dict[int, tuple[list[tuple[datetime, datetime]], list[datetime]]] = {}
    for span_start, span_end, where in _open_spans(resource, office, modality, offices, window):
        if where.id not in by_office:
            merged = _forbidden_starts(
                resource, holds, time_off, window.duration, where, modality, policy
            )
            by_office[where.id] = (merged, [lo for lo, _ in merged])
        forbidden, lows = by_office[where.id]
        t = _grid_ceil(max(span_start, lower))
        last = min(span_end, window.end) - duration
        while t <= last:  # runs for every grid instant of every resource: keep it lean
            i = bisect.bisect_left(lows, t) - 1
            if not (i >= 0 and forbidden[i][0] < t < forbidden[i][1]):
                slots.append(Slot(t, t + duration))
            t += GRID
    unique = {s.starts_at: s for s in slots}
    return [unique[k] for k in sorted(unique)]


def _held_spans(
    session: Session, ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[HeldSpan]]:
    """The active holds of these resources that meet (start, end), by resource, as plain rows.

    A week over 30 people is hundreds of holds: ORM objects for them and their bookings cost
    most of a search, so this reads the few columns the search needs, in one query.
    """
    query = (
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
        .where(
            Hold.resource_id.in_(ids),
            Hold.active.is_(True),
            Hold.starts_at < end,
            Hold.blocked_until > start,
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        # The same condition as a range overlap, which adds no row and removes none. Without
        # it the planner, seeing no lower bound on starts_at, expects thousands of holds and
        # joins them to a sequential scan of all bookings; with it, it estimates the range
        # (statistics of the exclusion constraint's index) and looks bookings up by key.
        window = func.tstzrange(literal(start, UTCDateTime()), literal(end, UTCDateTime()), "[)")
        held = func.tstzrange(Hold.starts_at, Hold.blocked_until, "[)")
        query = query.where(held.op("&&")(window))
    spans: dict[int, list[HeldSpan]] = defaultdict(list)
    for resource_id, starts_at, ends_at, until, modality, code in session.execute(query):
        spans[resource_id].append(HeldSpan(starts_at, ends_at, until, modality, code))
    return spans


def _load_context(
    session: Session, resources: Sequence[Resource], window: Window, policy: BookingPolicy
) -> tuple[dict[int, Office], dict[int, list[HeldSpan]], dict[int, list[TimeOff]]]:
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
    away: dict[int, list[TimeOff]] = defaultdict(list)
    for time_off in session.scalars(
        select(TimeOff).where(
            TimeOff.resource_id.in_(ids),
            TimeOff.starts_at < window.end,
            TimeOff.ends_at > window.start,
        )
    ):
        away[time_off.resource_id].append(time_off)
    return offices, holds, away


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
    `rank` and `reasons` (service/interpreter_ranking.py), in the places interpreters had in
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
    found = [
        ResourceSlots(
            r.id,
            _outside(
                slots_for(
                    r,
                    office=office,
                    modality=modality,
                    offices=offices,
                    holds=holds[r.id],
                    time_off=away[r.id],
                    window=window,
                    policy=policy,
                    not_before=now or utcnow(),
                ),
                full.get(r.id),
            ),
        )
        for r in resources
    ]
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


def _outside(slots: list[Slot], days: set[date] | None) -> list[Slot]:
    """The slots that start on none of `days` (Europe/Sofia)."""
    if not days:
        return slots
    return [s for s in slots if to_sofia(s.starts_at).date() not in days]


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
