"""Series: plan (dry run) and create, list, read, cancel, end early, split; their occurrences."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access import access_loaders as access
from service.access.access_facts import booking_request_facts
from service.access.access_policy import Action, Kind, list_scope, require
from service.access.access_queries import series_in
from service.access.auth import Principal
from service.booking.bookings import Actor
from service.models import AuditEntry, Booking, Series
from service.plumbing.db import get_session
from service.resources.idempotent import idempotent
from service.resources.interpreter_fields import requested_override
from service.resources.schemas import AuditEntrySchema, CancelSchema
from service.resources.security import booking_policy, current_principal
from service.resources.series_schemas import (
    DryRunSchema,
    EndSeriesSchema,
    MoveOccurrenceSchema,
    OccurrenceQuerySchema,
    OccurrenceSchema,
    SeriesCreateQuerySchema,
    SeriesCreateSchema,
    SeriesExceptionSchema,
    SeriesQuerySchema,
    SeriesSchema,
    SeriesUpdateSchema,
    SkipClashesQuerySchema,
    SplitSeriesSchema,
)
from service.series import series as ops
from service.series import series_changes as changes
from service.series.enrolment import count, seats

blp = Blueprint(
    "series",
    __name__,
    url_prefix="/api/v1/series",
    description="Recurring classes, sessions, trainings and community events.",
)


def actor_of(principal: Principal) -> Actor:
    return Actor(name=principal.name, may_override=False)


def load_series(principal: Principal, series_id: int, *, write: bool) -> Series:
    """Load a series the principal may see (404 otherwise) or change (403)."""
    action = Action.CHANGE if write else Action.READ
    return access.load_series(get_session(), principal, series_id, action)


def check_people(principal: Principal, series: Series, resource_ids: list[int]) -> None:
    """Refuse a change of teacher or room that the principal could not book themselves."""
    session = get_session()
    facts = booking_request_facts(session, series.office_code, resource_ids, 0)
    require(principal, Action.CHANGE, Kind.SERIES, facts)


def series_view(session: Session, series: Series) -> dict[str, Any]:
    occurrences = ops.list_occurrences(session, series)
    return {
        "id": series.id,
        "type": series.type,
        "office": series.office_code,
        "title": series.title,
        "description": series.description,
        "rrule": series.rrule,
        "starts_at": series.starts_at,
        "ends_at": series.ends_at,
        "local_start": series.local_start.isoformat("minutes"),
        "duration_minutes": series.duration_minutes,
        "capacity": series.capacity,
        "seats": seats(session, series),
        "enrolled": count(session, series, "enrolled"),
        "waitlisted": count(session, series, "waitlisted"),
        "resource_ids": series.resource_ids,
        "public": series.public,
        "languages": series.languages,
        "reminder_offsets": series.reminder_offsets,
        "status": series.status,
        "parent_id": series.parent_id,
        "occurrence_count": sum(1 for b in occurrences if b.status != "cancelled"),
        "skipped": [
            {"date": e.day, "starts_at": e.recurrence_start, "reason": e.reason}
            for e in series.exceptions
        ],
        "created_by": series.created_by,
        "created_at": series.created_at,
    }


def occurrence_view(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
        "recurrence_start": booking.recurrence_start,
        "moved": booking.recurrence_start not in (None, booking.starts_at),
        "resource_ids": booking.resource_ids,
        "version": booking.version,
        "cancel_reason": booking.cancel_reason,
        "walk_ins": booking.walk_ins,
    }


@blp.route("")
class SeriesCollection(MethodView):
    @blp.arguments(SeriesQuerySchema, location="query")
    @blp.response(200, SeriesSchema(many=True))
    def get(self, filters: dict[str, Any]) -> Any:
        """List series, filtered by office, type, status and public flag."""
        principal = current_principal()
        session = get_session()
        found = ops.list_series(
            session, within=series_in(list_scope(principal, Kind.SERIES)), **filters
        )
        return [series_view(session, s) for s in found]

    @idempotent(blp)
    @blp.arguments(SeriesCreateSchema)
    @blp.arguments(SeriesCreateQuerySchema, location="query")
    @blp.response(201, SeriesSchema)
    @blp.alt_response(200, schema=DryRunSchema, success=True, description="The dry run.")
    @blp.alt_response(409, description="Occurrences clash; `errors.conflicts` lists every clash.")
    def post(self, data: dict[str, Any], query: dict[str, Any]) -> Any:
        """Plan a series in one step: every occurrence is booked, or none is.

        With `dry_run=true` answers 200 with each occurrence and its clashes, and the dates
        skipped for public holidays and closures, writing nothing. With `skip_clashes=true` the
        clashing occurrences are left out (and listed as skipped) instead of refusing all.
        """
        principal = current_principal()
        require(principal, Action.CHANGE, Kind.SERIES)
        session = get_session()
        facts = booking_request_facts(session, data["office"], data["resource_ids"], 0)
        require(principal, Action.CHANGE, Kind.SERIES, facts)
        request = ops.SeriesRequest(**data)
        if query["dry_run"]:
            plan = ops.plan_series(session, request, booking_policy())
            session.rollback()
            return jsonify(DryRunSchema().dump(plan))
        series, _plan = ops.create_series(
            session,
            request,
            actor_of(principal),
            booking_policy(),
            skip_clashes=query["skip_clashes"],
        )
        session.commit()
        return series_view(session, series)


@blp.route("/<int:series_id>")
class SeriesById(MethodView):
    @blp.response(200, SeriesSchema)
    def get(self, series_id: int) -> Any:
        series = load_series(current_principal(), series_id, write=False)
        return series_view(get_session(), series)

    @idempotent(blp)
    @blp.arguments(SeriesUpdateSchema)
    @blp.response(200, SeriesSchema)
    def patch(self, data: dict[str, Any], series_id: int) -> Any:
        """Change title, description, capacity, public flag, languages or reminder offsets.

        No occurrence moves. New seats go to the waitlist at once; new reminder offsets
        re-plan the reminders not yet sent.
        """
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        session = get_session()
        changes.update_series(session, series, data, actor_of(principal))
        session.commit()
        return series_view(session, series)


@blp.route("/<int:series_id>/occurrences")
class Occurrences(MethodView):
    @blp.arguments(OccurrenceQuerySchema, location="query")
    @blp.response(200, OccurrenceSchema(many=True))
    def get(self, window: dict[str, Any], series_id: int) -> Any:
        """List the occurrences (cancelled ones included); `id` addresses one occurrence."""
        series = load_series(current_principal(), series_id, write=False)
        found = ops.list_occurrences(get_session(), series, window.get("start"), window.get("end"))
        return [occurrence_view(b) for b in found]


@blp.route("/<int:series_id>/occurrences/<int:occurrence_id>/cancel")
class CancelOccurrence(MethodView):
    @idempotent(blp)
    @blp.arguments(CancelSchema)
    @blp.response(200, OccurrenceSchema)
    def post(self, data: dict[str, Any], series_id: int, occurrence_id: int) -> Any:
        """Cancel one occurrence that has not started; its time is free at once."""
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        session = get_session()
        booking = ops.get_occurrence(session, series, occurrence_id)
        changes.cancel_occurrence(session, series, booking, actor_of(principal), data["reason"])
        session.commit()
        return occurrence_view(booking)


@blp.route("/<int:series_id>/occurrences/<int:occurrence_id>/move")
class MoveOccurrence(MethodView):
    @idempotent(blp)
    @blp.arguments(MoveOccurrenceSchema)
    @blp.response(200, OccurrenceSchema)
    @blp.alt_response(409, description="A clash (busy teacher or room), or a stale version.")
    def post(self, data: dict[str, Any], series_id: int, occurrence_id: int) -> Any:
        """Move one occurrence to another time, room or teacher; the rest stays."""
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        if "resource_ids" in data:
            check_people(principal, series, data["resource_ids"])
        session = get_session()
        booking = ops.get_occurrence(session, series, occurrence_id)
        changes.move_occurrence(
            session,
            series,
            booking,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            resource_ids=data.get("resource_ids"),
            version=data.get("version"),
            actor=actor_of(principal),
            policy=booking_policy(),
            interpreter_override=requested_override(data),
        )
        session.commit()
        return occurrence_view(booking)


@blp.route("/<int:series_id>/exceptions")
class Exceptions(MethodView):
    @blp.response(200, SeriesExceptionSchema(many=True))
    def get(self, series_id: int) -> Any:
        """Dates the rule gives but the series does not meet as planned (EXDATE material)."""
        series = load_series(current_principal(), series_id, write=False)
        return ops.exceptions_of(get_session(), series)


@blp.route("/<int:series_id>/cancel")
class CancelSeries(MethodView):
    @idempotent(blp)
    @blp.arguments(CancelSchema)
    @blp.response(200, SeriesSchema)
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """Cancel the whole series: every occurrence still to come; the past stays."""
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        session = get_session()
        changes.cancel_series(session, series, actor_of(principal), data["reason"])
        session.commit()
        return series_view(session, series)


@blp.route("/<int:series_id>/end")
class EndSeries(MethodView):
    @idempotent(blp)
    @blp.arguments(EndSeriesSchema)
    @blp.response(200, SeriesSchema)
    def post(self, data: dict[str, Any], series_id: int) -> Any:
        """End the series early: it meets for the last time on `last_day`."""
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        session = get_session()
        changes.end_series(session, series, data["last_day"], actor_of(principal))
        session.commit()
        return series_view(session, series)


@blp.route("/<int:series_id>/audit")
class SeriesAudit(MethodView):
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, series_id: int) -> Any:
        """The series' own audit trail (create, cancel, end, split), oldest first.

        Each occurrence keeps its trail under `/bookings/{id}/audit`.
        """
        load_series(current_principal(), series_id, write=False)
        return get_session().scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "series", AuditEntry.entity_id == series_id)
            .order_by(AuditEntry.id)
        )


@blp.route("/<int:series_id>/split")
class SplitSeries(MethodView):
    @idempotent(blp)
    @blp.arguments(SplitSeriesSchema)
    @blp.arguments(SkipClashesQuerySchema, location="query")
    @blp.response(201, SeriesSchema)
    @blp.alt_response(409, description="The changed occurrences clash.")
    def post(self, data: dict[str, Any], query: dict[str, Any], series_id: int) -> Any:
        """Change "this and all following": answers the new series that continues this one."""
        principal = current_principal()
        series = load_series(principal, series_id, write=True)
        if "resource_ids" in data:
            check_people(principal, series, data["resource_ids"])
        session = get_session()
        booking = ops.get_occurrence(session, series, data.pop("occurrence_id"))
        successor = changes.split_series(
            session,
            series,
            booking,
            changes.SplitChanges(**data),
            actor_of(principal),
            booking_policy(),
            skip_clashes=query["skip_clashes"],
        )
        session.commit()
        return series_view(session, successor)
