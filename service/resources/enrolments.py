"""Enrolments in a series with their waitlist, attendance per occurrence, and course figures."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from service.access.access_facts import series_facts
from service.access.access_loaders import check_beneficiaries
from service.access.access_policy import Action, Facts, Kind, require, sees_details
from service.access.auth import Principal
from service.interpreters.interpreter_rules import InterpreterOverride
from service.interpreters.language_match import LanguageOverride
from service.models import Enrolment, Series
from service.plumbing.db import get_session
from service.resources.idempotent import idempotent
from service.resources.interpreter_fields import override_rules
from service.resources.security import current_principal
from service.resources.series import actor_of, load_series, occurrence_view
from service.resources.series_schemas import (
    AttendanceMarkSchema,
    AttendanceRegisterSchema,
    AttendanceSchema,
    EnrolmentCreateSchema,
    EnrolmentSchema,
    FiguresSchema,
    OccurrenceSchema,
    WalkInsSchema,
)
from service.series import attendance, enrolment
from service.series import series as ops

blp = Blueprint(
    "enrolments",
    __name__,
    url_prefix="/api/v1/series",
    description="Enrolment with a waitlist, attendance and figures of a series.",
)


def enrolment_view(session: Session, row: Enrolment, *, details: bool) -> dict[str, Any]:
    """An enrolment as the API shows it; its interpreter override only with `details`
    (coordinators of the series' office and admins, not the class's teacher)."""
    return {
        "id": row.id,
        "series_id": row.series_id,
        "beneficiary_id": row.beneficiary_id,
        "status": row.status,
        "waitlist_position": enrolment.waitlist_position(session, row),
        "requested_at": row.requested_at,
        "enrolled_at": row.enrolled_at,
        "language_override_reason": row.language_override_reason,
        "interpreter_override_rules": override_rules(row.interpreter_override_rules)
        if details
        else [],
        "interpreter_override_reason": row.interpreter_override_reason if details else None,
    }


def sees_overrides(principal: Principal, series: Series) -> bool:
    return sees_details(principal, Facts.of(offices=[series.office_code]))


def load_for(principal: Principal, series_id: int, kind: Kind, action: Action) -> Series:
    """Load a series the principal may see, then refuse unless they may do `action` on its
    enrolments or attendance."""
    series = load_series(principal, series_id, write=False)
    require(principal, action, kind, series_facts(get_session(), series))
    return series


@blp.route("/<int:series_id>/enrolments")
class Enrolments(MethodView):
    @blp.response(200, EnrolmentSchema(many=True))
    def get(self, series_id: int) -> Any:
        """List the enrolled, then the waitlist in order (`waitlist_position` 1, 2, …)."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ENROLMENT, Action.LIST)
        session = get_session()
        details = sees_overrides(principal, series)
        return [
            enrolment_view(session, row, details=details)
            for row in enrolment.queue(session, series)
        ]

    @idempotent(blp)
    @blp.arguments(EnrolmentCreateSchema)
    @blp.response(201, EnrolmentSchema)
    @blp.alt_response(409, description="Already enrolled or waitlisted, or the series is over.")
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """Enrol a beneficiary: a seat while any is free, else the next waitlist place."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ENROLMENT, Action.CHANGE)
        session = get_session()
        check_beneficiaries(session, principal, [data["beneficiary_id"]], "beneficiary_id")
        language = LanguageOverride(data["language_override"], data["language_override_reason"])
        matched = InterpreterOverride(
            data["interpreter_override"], data["interpreter_override_reason"]
        )
        row = enrolment.enrol(
            session,
            series_id,
            data["beneficiary_id"],
            actor_of(principal),
            language_override=language,
            interpreter_override=matched,
        )
        session.commit()
        return enrolment_view(session, row, details=sees_overrides(principal, series))


@blp.route("/<int:series_id>/enrolments/<int:enrolment_id>")
class EnrolmentById(MethodView):
    @idempotent(blp)
    @blp.response(200, EnrolmentSchema(many=True))
    def delete(self, series_id: int, enrolment_id: int) -> Any:
        """Cancel an enrolment; answers who moved up from the waitlist into the freed seat."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ENROLMENT, Action.CHANGE)
        session = get_session()
        promoted = enrolment.withdraw(session, series_id, enrolment_id, actor_of(principal))
        session.commit()
        details = sees_overrides(principal, series)
        return [enrolment_view(session, row, details=details) for row in promoted]


@blp.route("/<int:series_id>/occurrences/<int:occurrence_id>/attendance")
class AttendanceList(MethodView):
    @blp.response(200, AttendanceSchema(many=True))
    def get(self, series_id: int, occurrence_id: int) -> Any:
        """The marks recorded for one occurrence."""
        series = load_for(current_principal(), series_id, Kind.ATTENDANCE, Action.READ)
        session = get_session()
        return attendance.list_attendance(
            session, ops.get_occurrence(session, series, occurrence_id)
        )

    @idempotent(blp)
    @blp.arguments(AttendanceRegisterSchema)
    @blp.response(200, AttendanceSchema(many=True))
    def put(self, data: dict[str, Any], series_id: int, occurrence_id: int) -> Any:
        """Record the whole register of one occurrence at once: every mark, or none."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ATTENDANCE, Action.CHANGE)
        session = get_session()
        booking = ops.get_occurrence(session, series, occurrence_id)
        marks = [(entry["beneficiary_id"], entry["mark"]) for entry in data["marks"]]
        attendance.record_register(session, series, booking, marks, actor_of(principal))
        session.commit()
        return attendance.list_attendance(session, booking)


@blp.route("/<int:series_id>/occurrences/<int:occurrence_id>/attendance/<int:beneficiary_id>")
class AttendanceMark(MethodView):
    @idempotent(blp)
    @blp.arguments(AttendanceMarkSchema)
    @blp.response(200, AttendanceSchema)
    def put(
        self, data: dict[str, Any], series_id: int, occurrence_id: int, beneficiary_id: int
    ) -> Any:
        """Record whether an enrolled beneficiary was present, absent or excused."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ATTENDANCE, Action.CHANGE)
        session = get_session()
        booking = ops.get_occurrence(session, series, occurrence_id)
        row = attendance.record_attendance(
            session, series, booking, beneficiary_id, data["mark"], actor_of(principal)
        )
        session.commit()
        return row


@blp.route("/<int:series_id>/occurrences/<int:occurrence_id>/walk-ins")
class WalkIns(MethodView):
    @idempotent(blp)
    @blp.arguments(WalkInsSchema)
    @blp.response(200, OccurrenceSchema)
    def put(self, data: dict[str, Any], series_id: int, occurrence_id: int) -> Any:
        """Record how many came without registering (community events)."""
        principal = current_principal()
        series = load_for(principal, series_id, Kind.ATTENDANCE, Action.CHANGE)
        session = get_session()
        booking = ops.get_occurrence(session, series, occurrence_id)
        attendance.record_walk_ins(session, booking, data["walk_ins"], actor_of(principal))
        session.commit()
        return occurrence_view(booking)


@blp.route("/<int:series_id>/figures")
class Figures(MethodView):
    @blp.response(200, FiguresSchema)
    def get(self, series_id: int) -> Any:
        """Seats, enrolment, attendance rate and completion of a course."""
        series = load_series(current_principal(), series_id, write=False)
        return attendance.course_figures(get_session(), series)
