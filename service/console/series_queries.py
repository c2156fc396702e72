"""Read-only look-ups of the series pages: the list, the planner's choices, a series' page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service.access.access_policy import Kind, list_scope
from service.access.access_queries import series_in
from service.access.auth import Principal
from service.console.queries import describe_conflicts, resource_names
from service.console.series_calendar import Entry, Month, month_grids
from service.console.words import closed_words
from service.models import Beneficiary, Booking, Enrolment, Office, Resource, Series
from service.plumbing.clock import utcnow
from service.series import attendance, enrolment
from service.series.recurrence import split_rule
from service.series.series import LIVE, Plan, exceptions_of, list_occurrences, list_series

PEOPLE_KINDS = ("teacher", "counsellor", "interpreter")


@dataclass(frozen=True)
class SeriesRow:
    series: Series
    next_start: datetime | None
    seats: int | None
    enrolled: int
    waitlisted: int


def series_rows(session: Session, principal: Principal, office: str | None) -> list[SeriesRow]:
    """The series the principal may see (at one office, if given), earliest first."""
    filters = {"office": office} if office else {}
    within = series_in(list_scope(principal, Kind.SERIES))
    shown = list_series(session, within, **filters)
    ids = [s.id for s in shown]
    rows = session.execute(
        select(Booking.series_id, func.min(Booking.starts_at))
        .where(Booking.series_id.in_(ids), Booking.status.in_(LIVE), Booking.ends_at > utcnow())
        .group_by(Booking.series_id)
    )
    upcoming = {series_id: start for series_id, start in rows}
    seats = enrolment.seats_of_many(session, shown)
    counts = enrolment.counts_of_many(session, ids)
    return [
        SeriesRow(
            s, upcoming.get(s.id), seats[s.id], counts[s.id]["enrolled"], counts[s.id]["waitlisted"]
        )
        for s in shown
    ]


def people_at(session: Session, offices: list[Office], only: int | None) -> list[Resource]:
    """Active teachers, counsellors and interpreters working at any of these offices."""
    query = (
        select(Resource)
        .where(
            Resource.active.is_(True),
            Resource.kind.in_(PEOPLE_KINDS),
            Resource.offices.any(Office.id.in_([o.id for o in offices])),
        )
        .options(selectinload(Resource.offices))
        .order_by(Resource.kind.desc(), Resource.name)
    )
    if only is not None:
        query = query.where(Resource.id == only)
    return list(session.scalars(query))


def rooms_at(session: Session, offices: list[Office]) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(
                Resource.active.is_(True),
                Resource.kind == "room",
                Resource.room_office_id.in_([o.id for o in offices]),
            )
            .options(selectinload(Resource.room_office))
            .order_by(Resource.name)
        )
    )


def plan_grid(session: Session, plan: Plan) -> list[Month]:
    """The dry run as month grids, each clash naming what it collides with."""
    entries = [
        Entry(
            o.starts_at,
            o.ends_at,
            clashes=describe_conflicts(session, o.clashes) if o.clashes else [],
        )
        for o in plan.occurrences
    ]
    skipped = [(s.date, closed_words(plan.office.code, s.date)) for s in plan.skipped]
    return month_grids(entries, skipped)


@dataclass(frozen=True)
class Place:
    enrolment: Enrolment
    case_reference: str
    position: int | None  # on the waitlist, from 1


@dataclass(frozen=True)
class SeriesPage:
    series: Series
    weekdays: list[str]
    resources: list[str]
    occurrences: list[Booking]
    exceptions: list[dict[str, Any]]
    months: list[Month]
    places: list[Place]
    figures: attendance.Figures
    now: datetime


def roster(session: Session, series: Series) -> list[Place]:
    """The enrolled, then the waitlist with positions, each by case reference only."""
    rows = enrolment.queue(session, series)
    references: dict[int, str] = dict(
        session.execute(
            select(Beneficiary.id, Beneficiary.case_reference).where(
                Beneficiary.id.in_([r.beneficiary_id for r in rows])
            )
        ).all()
    )
    places, waiting = [], 0
    for row in rows:  # the queue lists the waitlist in its order
        waiting += row.status == "waitlisted"
        position = waiting if row.status == "waitlisted" else None
        places.append(Place(row, references.get(row.beneficiary_id, "?"), position))
    return places


def series_page(session: Session, series: Series) -> SeriesPage:
    occurrences = list_occurrences(session, series)
    entries = [
        Entry(
            b.starts_at,
            b.ends_at,
            status=b.status,
            booking_id=b.id,
            moved=b.recurrence_start not in (None, b.starts_at),
        )
        for b in occurrences
    ]
    names = resource_names(session, series.resource_ids)
    return SeriesPage(
        series=series,
        weekdays=split_rule(series.rrule).get("BYDAY", "").split(","),
        resources=[names.get(i, "?") for i in series.resource_ids],
        occurrences=occurrences,
        exceptions=exceptions_of(session, series),
        months=month_grids(entries, [(e.day, e.reason) for e in series.exceptions]),
        places=roster(session, series),
        figures=attendance.course_figures(session, series),
        now=utcnow(),
    )


def enrolled_references(session: Session, series: Series) -> list[tuple[int, str]]:
    """The (beneficiary id, case reference) of everyone with a seat, by case reference."""
    rows = session.execute(
        select(Beneficiary.id, Beneficiary.case_reference)
        .join(Enrolment, Enrolment.beneficiary_id == Beneficiary.id)
        .where(Enrolment.series_id == series.id, Enrolment.status == "enrolled")
        .order_by(Beneficiary.case_reference)
    )
    return [(row.id, row.case_reference) for row in rows]
