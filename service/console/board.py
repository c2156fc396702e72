"""The office board, a week or one day: who is held when, in four queries, closed days marked.

Each block carries what its chip shows (times, type, the beneficiaries' languages and how many
they are) loaded in the holds query itself; languages and count only for who may see details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from service.access.access_policy import Action, Facts, Kind, allows, list_scope, sees_details
from service.access.auth import Principal
from service.booking.calendar_rules import closed_reason
from service.models import Beneficiary, Booking, BookingBeneficiary, Hold, Office, Resource
from service.plumbing.clock import sofia_instant, to_sofia
from service.plumbing.errors import Forbidden, Invalid

DEFAULT_HOURS = (time(8), time(18))
CENTRAL_OFFICE = "sofia"


@dataclass(frozen=True)
class Block:
    booking_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    type: str
    here: bool  # at this office (False: the person is elsewhere then)
    languages: tuple[str, ...] = ()  # the beneficiaries' languages, when details may be seen
    beneficiaries: int | None = None  # how many, when details may be seen

    @property
    def kind(self) -> str:
        """The chip's colour class: own office (by status) or busy at another office."""
        if not self.here:
            return "elsewhere"
        return "closed-out" if self.status in ("completed", "no_show") else self.status


@dataclass
class Row:
    resource: Resource
    cells: list[list[Block]] = field(default_factory=list)
    bookable: bool = False  # the principal may book this person here


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

    def agenda(self, column: int) -> list[tuple[Block, list[str]]]:
        """One day's bookings in order of time, each once with the names of what it holds."""
        held: dict[int, tuple[Block, list[str]]] = {}
        for row in self.rows:
            for block in row.cells[column]:
                held.setdefault(block.booking_id, (block, []))[1].append(row.resource.name)
        return sorted(held.values(), key=lambda entry: (entry[0].starts_at, entry[0].booking_id))


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


def default_office(principal: Principal, offices: list[Office]) -> Office:
    """The office the board opens on: a coordinator's first (by code), else the central one."""
    if principal.role == "coordinator":
        return offices[0]
    return next((o for o in offices if o.code == CENTRAL_OFFICE), offices[0])


def default_week(today: date) -> date:
    """The Monday the board opens on: this week's, or the coming one's at the weekend."""
    return monday_of(today + timedelta(days=2 if today.weekday() >= 5 else 0))


def _span(office: Office) -> tuple[time, time]:
    if not office.opening_hours:
        return DEFAULT_HOURS
    opens = min(h.opens for h in office.opening_hours)
    closes = max(h.closes for h in office.opening_hours)
    return min(opens, DEFAULT_HOURS[0]), max(closes, DEFAULT_HOURS[1])


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
    rows = {
        r.id: Row(r, [[] for _ in days], r.is_person and _may_book(principal, office, r))
        for r in resources
    }
    first = days[0].day if single else monday
    start = sofia_instant(first, time(0))
    end = sofia_instant(first + timedelta(days=1 if single else 7), time(0))
    column = {d.day: n for n, d in enumerate(days)}
    for hold, languages, count in session.execute(_holds(list(rows), start, end)):
        day = to_sofia(hold.starts_at).date()
        if day not in column:
            continue
        booking: Booking = hold.booking
        here = booking.office_id == office.id
        if booking.status == "cancelled" and not here:
            continue  # nobody is busy elsewhere then
        details = sees_details(principal, Facts.of(offices=[booking.office_code]))
        rows[hold.resource_id].cells[column[day]].append(
            Block(
                booking_id=booking.id,
                starts_at=hold.starts_at,
                ends_at=hold.ends_at,
                status=booking.status,
                type=booking.type,
                here=here,
                languages=tuple(sorted(set((languages or "").split(",")) - {""}))
                if details
                else (),
                beneficiaries=count if details else None,
            )
        )
    return Board(office, monday, days, list(rows.values()), opens, closes, single)


def _may_book(principal: Principal, office: Office, person: Resource) -> bool:
    facts = Facts.of(offices=[office.code], people=[person.id])
    return allows(principal, Action.CHANGE, Kind.BOOKING, facts)


def _holds(
    resource_ids: list[int], start: datetime, end: datetime
) -> Select[Hold, str | None, int]:
    """The live and cancelled holds of the resources between `start` and `end`, each with its
    booking, office, and its beneficiaries' languages (comma-separated) and count."""
    attending = BookingBeneficiary.booking_id == Booking.id
    languages = (
        select(func.aggregate_strings(Beneficiary.language, ","))
        .join(BookingBeneficiary, BookingBeneficiary.beneficiary_id == Beneficiary.id)
        .where(attending)
        .correlate(Booking)
        .scalar_subquery()
    )
    count = (
        select(func.count()).select_from(BookingBeneficiary).where(attending).correlate(Booking)
    ).scalar_subquery()
    return (
        select(Hold, languages, count)
        .join(Hold.booking)
        .outerjoin(Booking.office)
        .options(contains_eager(Hold.booking).contains_eager(Booking.office))
        .where(
            Hold.resource_id.in_(resource_ids),
            or_(Hold.active.is_(True), Booking.status == "cancelled"),
            Hold.starts_at < end,
            Hold.ends_at > start,
        )
        .order_by(Hold.starts_at)
    )
