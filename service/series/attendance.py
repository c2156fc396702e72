"""Attendance per occurrence (present, absent, excused), walk-ins, and a course's figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.booking.audit import record_change
from service.booking.bookings import Actor
from service.models import Attendance, Booking, Enrolment, Series
from service.models.series import ATTENDANCE_MARKS, MAX_ID
from service.plumbing.clock import utcnow
from service.plumbing.errors import Invalid, InvalidTransition
from service.series.enrolment import count, seats

COMPLETION_SHARE = 0.8


def _held(booking: Booking, now: datetime) -> None:
    if booking.status == "cancelled":
        raise InvalidTransition("The occurrence was cancelled; nobody attended it.").coded(
            "attendance_class_cancelled"
        )
    if booking.starts_at > now:
        raise InvalidTransition("Attendance is recorded once the occurrence has started.").coded(
            "attendance_not_started"
        )


def record_attendance(
    session: Session,
    series: Series,
    booking: Booking,
    beneficiary_id: int,
    mark: str,
    actor: Actor,
    now: datetime | None = None,
) -> Attendance:
    """Record (or correct) whether an enrolled beneficiary came to one occurrence."""
    moment = now or utcnow()
    if mark not in ATTENDANCE_MARKS:
        raise Invalid("mark", f"One of {', '.join(ATTENDANCE_MARKS)}.").coded(
            "attendance_mark_unknown"
        )
    _held(booking, moment)
    enrolled = (
        None
        if not 0 < beneficiary_id <= MAX_ID
        else session.scalar(
            select(Enrolment).where(
                Enrolment.series_id == series.id,
                Enrolment.beneficiary_id == beneficiary_id,
                Enrolment.status == "enrolled",
            )
        )
    )
    if enrolled is None:
        raise Invalid("beneficiary_id", f"Beneficiary {beneficiary_id} is not enrolled.").coded(
            "not_enrolled", beneficiary=beneficiary_id
        )
    row = session.scalar(
        select(Attendance).where(
            Attendance.booking_id == booking.id, Attendance.beneficiary_id == beneficiary_id
        )
    )
    before = None if row is None else {"mark": row.mark}
    if row is None:
        row = Attendance(booking_id=booking.id, beneficiary_id=beneficiary_id)
        session.add(row)
    row.mark = mark
    row.recorded_by = actor.name
    row.recorded_at = moment
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="attendance",
        entity="attendance",
        entity_id=row.id,
        before=before,
        after={"booking_id": booking.id, "beneficiary_id": beneficiary_id, "mark": mark},
    )
    return row


def record_register(
    session: Session,
    series: Series,
    booking: Booking,
    marks: Sequence[tuple[int, str]],
    actor: Actor,
    now: datetime | None = None,
) -> list[Attendance]:
    """Record the marks of several beneficiaries at one occurrence, all or none."""
    people = [beneficiary_id for beneficiary_id, _mark in marks]
    if len(set(people)) != len(people):
        raise Invalid("marks", "A beneficiary is listed twice.").coded("beneficiary_twice")
    return [
        record_attendance(session, series, booking, beneficiary_id, mark, actor, now)
        for beneficiary_id, mark in marks
    ]


def list_attendance(session: Session, booking: Booking) -> list[Attendance]:
    return list(
        session.scalars(
            select(Attendance)
            .where(Attendance.booking_id == booking.id)
            .order_by(Attendance.beneficiary_id)
        )
    )


def record_walk_ins(
    session: Session, booking: Booking, walk_ins: int, actor: Actor, now: datetime | None = None
) -> Booking:
    """Record how many people came to an occurrence without registering."""
    if walk_ins < 0:
        raise Invalid("walk_ins", "A count of people is zero or more.").coded("walk_ins_negative")
    _held(booking, now or utcnow())
    before = {"walk_ins": booking.walk_ins}
    booking.walk_ins = walk_ins
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="walk_ins",
        entity="booking",
        entity_id=booking.id,
        before=before,
        after={"walk_ins": walk_ins},
    )
    return booking


@dataclass(frozen=True)
class Figures:
    seats: int | None
    enrolled: int
    waitlisted: int
    occurrences: int
    held: int
    present: int
    absent: int
    excused: int
    attendance_rate: float | None
    completed: int
    completion_rate: float | None
    walk_ins: int
    per_occurrence: list[dict[str, Any]]


def course_figures(session: Session, series: Series, now: datetime | None = None) -> Figures:
    """Sum up a course: seats, enrolment, attendance rate and completion.

    The attendance rate is present / (present + absent) over the marks recorded. A beneficiary
    completes the course with at least 80 % presence at the occurrences held so far that they
    were not excused from.
    """
    moment = now or utcnow()
    live = list(
        session.scalars(
            select(Booking).where(Booking.series_id == series.id, Booking.status != "cancelled")
        )
    )
    held = [b for b in live if b.starts_at <= moment]
    held_ids = {b.id for b in held}
    enrolled_ids = set(
        session.scalars(
            select(Enrolment.beneficiary_id).where(
                Enrolment.series_id == series.id, Enrolment.status == "enrolled"
            )
        )
    )
    marks = list(session.scalars(select(Attendance).where(Attendance.booking_id.in_(held_ids))))
    tally = {
        mark: sum(1 for m in marks if m.mark == mark) for mark in ("present", "absent", "excused")
    }
    completed = 0
    for beneficiary_id in enrolled_ids:
        own = [m for m in marks if m.beneficiary_id == beneficiary_id]
        expected = len(held) - sum(1 for m in own if m.mark == "excused")
        present = sum(1 for m in own if m.mark == "present")
        if expected > 0 and present >= COMPLETION_SHARE * expected:
            completed += 1
    marked = tally["present"] + tally["absent"]
    return Figures(
        seats=seats(session, series),
        enrolled=len(enrolled_ids),
        waitlisted=count(session, series, "waitlisted"),
        occurrences=len(live),
        held=len(held),
        present=tally["present"],
        absent=tally["absent"],
        excused=tally["excused"],
        attendance_rate=round(tally["present"] / marked, 4) if marked else None,
        completed=completed,
        completion_rate=round(completed / len(enrolled_ids), 4) if enrolled_ids and held else None,
        walk_ins=sum(b.walk_ins or 0 for b in held),
        per_occurrence=[
            {
                "occurrence_id": b.id,
                "starts_at": b.starts_at,
                **{
                    mark: sum(1 for m in marks if m.booking_id == b.id and m.mark == mark)
                    for mark in ATTENDANCE_MARKS
                },
                "walk_ins": b.walk_ins,
            }
            for b in sorted(held, key=lambda b: b.starts_at)
        ],
    )
