"""The office board, a week or one day: who is held when, in four queries, closed days marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from service.access_policy import Kind, list_scope
from service.auth import Principal
from service.calendar_rules import closed_reason
from service.clock import sofia_instant, to_sofia
from service.errors import Forbidden, Invalid
from service.models import Booking, Hold, Office, Resource

DEFAULT_HOURS = (time(8), time(18))


@dataclass(frozen=True)
class Block:
    booking_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    type: str
    here: bool  # at this office (False: the person is elsewhere then)
    left: float  # percent of the day's span
    width: float


@dataclass
class Row:
    resource: Resource
    cells: list[list[Block]] = field(default_factory=list)


@dataclass(frozen=True)
class Day:
    day: date
    closed: str | None


@dataclass(frozen=True)
class Board:
    office: Office
    monday: date
    days: list[Day]
    rows: list[Row]
    opens: time
    closes: time
    single: bool = False  # one day, not a week


def visible_offices(session: Session, principal: Principal, *, full: bool = False) -> list[Office]:
    """The offices the principal may see, by code; `full` loads their hours and closures."""
    query = select(Office).order_by(Office.code)
    if full:
        query = query.options(selectinload(Office.opening_hours), selectinload(Office.closures))
    offices = list(session.scalars(query))
    scope = list_scope(principal, Kind.BOOKING)
    if scope.everything:
        return offices
    if scope.person is not None:
        resource = session.get(Resource, scope.person)
        codes = set(resource.office_codes) if resource is not None else set()
        return [o for o in offices if o.code in codes]
    return [o for o in offices if o.code in scope.offices]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _span(office: Office) -> tuple[time, time]:
    if not office.opening_hours:
        return DEFAULT_HOURS
    opens = min(h.opens for h in office.opening_hours)
    closes = max(h.closes for h in office.opening_hours)
    return min(opens, DEFAULT_HOURS[0]), max(closes, DEFAULT_HOURS[1])


def _percent(instant: datetime, day: date, opens: time, closes: time) -> float:
    start, end = sofia_instant(day, opens), sofia_instant(day, closes)
    share = (min(max(instant, start), end) - start) / (end - start)
    return round(100 * share, 2)


def _office(session: Session, offices: list[Office], office_code: str) -> Office:
    office = next((o for o in offices if o.code == office_code), None)
    if office is None:
        if session.scalar(select(Office.id).where(Office.code == office_code)) is None:
            raise Invalid("office", f"No office with code {office_code!r}.")
        raise Forbidden("This office is outside your scope.")
    return office


def _opening_weekdays(office: Office) -> set[int]:
    return {h.weekday for h in office.opening_hours} | set(range(5))


def week_board(
    session: Session, principal: Principal, offices: list[Office], office_code: str, any_day: date
) -> Board:
    """The week of `any_day` at one of `offices` (from `visible_offices(..., full=True)`)."""
    office = _office(session, offices, office_code)
    monday = monday_of(any_day)
    weekdays = _opening_weekdays(office)
    days = [
        Day(d, closed_reason(office, d))
        for d in (monday + timedelta(days=n) for n in range(7))
        if d.weekday() in weekdays
    ]
    return _fill(session, principal, office, monday, days)


def day_board(
    session: Session, principal: Principal, offices: list[Office], office_code: str, day: date
) -> Board:
    """One day at one of `offices`, shaded when the office is closed or does not open then."""
    office = _office(session, offices, office_code)
    closed = closed_reason(office, day)
    if closed is None and day.weekday() not in _opening_weekdays(office):
        closed = "no opening hours that day"
    return _fill(session, principal, office, monday_of(day), [Day(day, closed)], single=True)


def _fill(
    session: Session,
    principal: Principal,
    office: Office,
    monday: date,
    days: list[Day],
    *,
    single: bool = False,
) -> Board:
    """Place the holds of the office's people and rooms on `days`, in two queries."""
    people = select(Resource).where(
        Resource.active.is_(True),
        Resource.offices.any(Office.id == office.id) | (Resource.room_office_id == office.id),
    )
    scope = list_scope(principal, Kind.BOOKING)
    if scope.person is not None:
        people = people.where(Resource.id == scope.person)
    resources = list(session.scalars(people.order_by(Resource.kind, Resource.name)))
    opens, closes = _span(office)
    rows = {r.id: Row(r, [[] for _ in days]) for r in resources}
    first = days[0].day if single else monday
    start = sofia_instant(first, time(0))
    end = sofia_instant(first + timedelta(days=1 if single else 7), time(0))
    holds = session.scalars(
        select(Hold)
        .join(Hold.booking)
        .options(contains_eager(Hold.booking))
        .where(
            Hold.resource_id.in_(list(rows)),
            Hold.active.is_(True),
            Hold.starts_at < end,
            Hold.ends_at > start,
        )
        .order_by(Hold.starts_at)
    )
    column = {d.day: n for n, d in enumerate(days)}
    for hold in holds:
        day = to_sofia(hold.starts_at).date()
        if day not in column:
            continue
        booking: Booking = hold.booking
        left = _percent(hold.starts_at, day, opens, closes)
        rows[hold.resource_id].cells[column[day]].append(
            Block(
                booking_id=booking.id,
                starts_at=hold.starts_at,
                ends_at=hold.ends_at,
                status=booking.status,
                type=booking.type,
                here=booking.office_id == office.id,
                left=left,
                width=max(_percent(hold.ends_at, day, opens, closes) - left, 1.0),
            )
        )
    return Board(office, monday, days, list(rows.values()), opens, closes, single)
