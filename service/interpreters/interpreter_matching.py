"""Interpreters for a search: load the facts, apply the hard rules, rank who is left.

The operations behind availability and suggest (`service/booking/availability.py`): which interpreters
pass the avoid, gender and training rules for the beneficiaries and booking type, on which days
the hour limits leave no room for one more session, and the facts the ranking
(`service/interpreters/interpreter_ranking.py`) orders by. Each loads in a fixed number of queries whatever
the number of interpreters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Executable, Float, bindparam, cast, func, select
from sqlalchemy.orm import Session, selectinload

from service.booking.held_ranges import (
    HELD_FROM,
    HELD_UNTIL,
    dialect_of,
    held_between,
    window_end,
    window_start,
)
from service.booking.policy import BookingPolicy
from service.interpreters.interpreter_hours import sofia_day, sofia_week
from service.interpreters.interpreter_needs import load_needs
from service.interpreters.interpreter_ranking import AWAY, HERE, NEARBY, Candidate, Ranked, rank
from service.interpreters.interpreter_rules import (
    BookedMinutes,
    Breach,
    HourLimits,
    InterpreterOverride,
    Needs,
    decide,
    hour_breaches,
    person_breaches,
    required_trainings,
)
from service.models import Beneficiary, Booking, BookingBeneficiary, Hold, Resource
from service.plumbing.clock import sofia_instant, to_sofia

if TYPE_CHECKING:
    from service.booking.availability import HeldSpan


@dataclass(frozen=True)
class Matching:
    """What the beneficiaries and the booking type ask of interpreters."""

    needs: list[Needs]
    required: frozenset[str]

    @property
    def dialects(self) -> list[str]:
        return [n.dialect for n in self.needs if n.dialect]


def load_matching(
    session: Session,
    beneficiaries: Sequence[Beneficiary],
    booking_type: str,
    specialities: Collection[str] = (),
) -> Matching:
    needs = load_needs(session, beneficiaries)
    return Matching(needs, required_trainings(booking_type, specialities, needs))


def load_interpreter_rows(session: Session, interpreters: Sequence[Resource]) -> None:
    """Load the languages, dialects and trainings of these interpreters in a few queries."""
    if not interpreters:
        return
    session.scalars(
        select(Resource)
        .where(Resource.id.in_([r.id for r in interpreters]))
        .options(
            selectinload(Resource.language_rows),
            selectinload(Resource.dialect_rows),
            selectinload(Resource.training_rows),
        )
    ).all()


def breaches(interpreters: Sequence[Resource], matching: Matching) -> dict[int, list[Breach]]:
    """The avoid, gender and training rules each interpreter breaks (none: not listed)."""
    found = {}
    for interpreter in interpreters:
        broken = person_breaches(interpreter, matching.needs, matching.required)
        if broken:
            found[interpreter.id] = broken
    return found


def refuse_breaking(resources: Sequence[Resource], matching: Matching) -> None:
    """Refuse (InterpreterRuleBroken, 422) an interpreter who breaks a rule, as booking does."""
    interpreters = [r for r in resources if r.kind == "interpreter"]
    for broken in breaches(interpreters, matching).values():
        decide(broken, InterpreterOverride())


def _window_days(start: datetime, end: datetime) -> list[date]:
    """The Europe/Sofia days that [start, end) meets."""
    first = to_sofia(start).date()
    last = to_sofia(max(start, end - timedelta(microseconds=1))).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@cache
def _held_by_type_query(dialect: str) -> Executable:
    return (
        select(Hold.resource_id, Hold.starts_at, Hold.ends_at, Booking.type)
        .join(Booking, Hold.booking_id == Booking.id)
        .where(
            Hold.resource_id.in_(bindparam("ids", expanding=True)),
            *held_between(dialect),
            Hold.ends_at > window_start(),
        )
    )


def _minutes_by_day(
    session: Session, ids: Sequence[int], start: datetime, end: datetime
) -> dict[tuple[int, date], dict[str, int]]:
    """Minutes each interpreter holds per Europe/Sofia day, by booking type, in one query."""
    rows = session.execute(
        _held_by_type_query(dialect_of(session)),
        {"ids": list(ids), HELD_FROM: start, HELD_UNTIL: end},
    )
    minutes: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for resource_id, starts_at, ends_at, booking_type in rows:
        for day in _window_days(starts_at, ends_at):
            lo, hi = sofia_day(sofia_instant(day, time(12)))
            clipped = min(ends_at, hi) - max(starts_at, lo)
            if clipped > timedelta(0):
                minutes[(resource_id, day)][booking_type] += int(clipped / timedelta(minutes=1))
    return minutes


def full_days(
    session: Session,
    interpreters: Sequence[Resource],
    *,
    start: datetime,
    end: datetime,
    booking_type: str,
    duration: timedelta,
    policy: BookingPolicy,
) -> dict[int, set[date]]:
    """The days of [start, end) on which one more session would pass an interpreter's limits."""
    limits = {r.id: HourLimits.of(r, policy) for r in interpreters}
    limited = [r for r in interpreters if booking_type in limits[r.id].types]
    if not limited:
        return {}
    week_start, week_end = sofia_week(start)[0], sofia_week(end)[1]
    by_day = _minutes_by_day(session, [r.id for r in limited], week_start, week_end)
    full: dict[int, set[date]] = defaultdict(set)
    for interpreter in limited:
        types = limits[interpreter.id].types

        def counted(day: date, rid: int = interpreter.id, types: Collection[str] = types) -> int:
            return sum(m for t, m in by_day.get((rid, day), {}).items() if t in types)

        for day in _window_days(start, end):
            monday = day - timedelta(days=day.weekday())
            week = sum(counted(monday + timedelta(days=n)) for n in range(7))
            booked = BookedMinutes(counted(day), week)
            limit = limits[interpreter.id]
            if hour_breaches(interpreter, limit, booked, booking_type, duration):
                full[interpreter.id].add(day)
    return full


def _last_served(
    session: Session, ids: Sequence[int], beneficiary_ids: Sequence[int]
) -> dict[int, datetime]:
    """The start of the latest booking, not cancelled, holding each interpreter and one of them."""
    if not ids or not beneficiary_ids:
        return {}
    rows = session.execute(
        select(Hold.resource_id, func.max(Booking.starts_at))
        .join(Booking, Hold.booking_id == Booking.id)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .where(
            Hold.resource_id.in_(ids),
            BookingBeneficiary.beneficiary_id.in_(beneficiary_ids),
            Booking.status != "cancelled",
        )
        .group_by(Hold.resource_id)
    )
    return {resource_id: last for resource_id, last in rows if last is not None}


def _clipped_minutes(dialect: str) -> ColumnElement[Any]:
    """A hold's minutes within the window, as SQL (the window meets the hold)."""
    lo, hi = window_start(), window_end()
    if dialect == "postgresql":
        span = func.least(Hold.ends_at, hi) - func.greatest(Hold.starts_at, lo)
        return cast(func.extract("epoch", span), Float) / 60
    days = func.julianday(func.min(Hold.ends_at, hi)) - func.julianday(func.max(Hold.starts_at, lo))
    return cast(days, Float) * 1440


@cache
def _month_query(dialect: str) -> Executable:
    return (
        select(Hold.resource_id, func.sum(_clipped_minutes(dialect)))
        .where(
            Hold.resource_id.in_(bindparam("ids", expanding=True)),
            *held_between(dialect),
            Hold.ends_at > window_start(),  # held, not only blocked by the buffer, in the window
        )
        .group_by(Hold.resource_id)
    )


def month_minutes(
    session: Session, ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Minutes each resource is held by active bookings within [start, end), summed in SQL.

    A month of a busy interpreter is dozens of holds: adding them up in the database spares
    reading every row (the search reads one row per interpreter).
    """
    rows = session.execute(
        _month_query(dialect_of(session)), {"ids": list(ids), HELD_FROM: start, HELD_UNTIL: end}
    )
    return {rid: round(total or 0) for rid, total in rows}


def sofia_month(instant: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the Europe/Sofia calendar month of `instant`."""
    day = to_sofia(instant).date().replace(day=1)
    following = (day + timedelta(days=32)).replace(day=1)
    return sofia_instant(day, time(0)), sofia_instant(following, time(0))


def _travel(
    spans: Sequence[HeldSpan], days: Collection[date], office_code: str | None, modality: str
) -> tuple[str, str | None]:
    """Whether the interpreter is already at the office on a day searched, or elsewhere."""
    if office_code is None or modality != "in_person":
        return NEARBY, None
    there = [
        s.office_code
        for s in spans
        if s.modality == "in_person"
        and s.office_code is not None
        and to_sofia(s.starts_at).date() in days
    ]
    if office_code in there:
        return HERE, office_code
    if there:
        return AWAY, sorted(there)[0]
    return NEARBY, None


def rank_interpreters(
    session: Session,
    interpreters: Sequence[Resource],
    *,
    matching: Matching | None,
    beneficiary_ids: Sequence[int],
    start: datetime,
    end: datetime,
    office_code: str | None,
    modality: str,
    held: Mapping[int, Sequence[HeldSpan]],
) -> dict[int, Ranked]:
    """Rank the interpreters for a search from `start` to `end`, by id."""
    if not interpreters:
        return {}
    ids = [r.id for r in interpreters]
    month = month_minutes(session, ids, *sofia_month(start))
    served = _last_served(session, ids, beneficiary_ids)
    wanted = matching.dialects if matching is not None else []
    days = set(_window_days(start, end))
    candidates = []
    for interpreter in interpreters:
        travel, office = _travel(held.get(interpreter.id, ()), days, office_code, modality)
        candidates.append(
            Candidate(
                id=interpreter.id,
                name=interpreter.name,
                dialects=tuple(interpreter.dialects) if wanted else (),
                last_served=served.get(interpreter.id),
                month_minutes=month.get(interpreter.id, 0),
                travel=travel,
                office=office,
            )
        )
    return {ranked.id: ranked for ranked in rank(candidates, wanted)}
