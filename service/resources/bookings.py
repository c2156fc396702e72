"""Bookings: create, list, read, and move along their life (confirm, cancel, reschedule...)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service.access.access_facts import booking_request_facts
from service.access.access_loaders import check_beneficiaries, load_booking
from service.access.access_policy import Action, Facts, Kind, list_scope, require, sees_details
from service.access.access_queries import bookings_in
from service.access.auth import Principal
from service.booking import bookings
from service.interpreters.language_match import LanguageOverride
from service.models import AuditEntry, Booking, BookingBeneficiary, Hold, Office
from service.plumbing.db import get_session
from service.resources.idempotent import idempotent
from service.resources.interpreter_fields import requested_override
from service.resources.schemas import (
    AuditEntrySchema,
    BookingCreateSchema,
    BookingQuerySchema,
    BookingSchema,
    CancelSchema,
    RescheduleSchema,
)
from service.resources.security import booking_policy, current_principal

blp = Blueprint("bookings", __name__, url_prefix="/api/v1/bookings", description="Bookings")


class Undisclosed:
    """A booking as shown to who may not see its notes and beneficiaries: those left out."""

    hidden: dict[str, Any] = {
        "notes": None,
        "beneficiary_ids": [],
        "record_past_reason": None,
        "language_override_reason": None,
        "interpreter_override_rules": None,
        "interpreter_override_reason": None,
    }

    def __init__(self, booking: Booking) -> None:
        self._booking = booking

    def __getattr__(self, name: str) -> Any:
        if name in self.hidden:
            return self.hidden[name]
        return getattr(self._booking, name)


def shown(principal: Principal, booking: Booking) -> Booking | Undisclosed:
    """Return the booking whole, or without notes and beneficiaries, as the policy allows."""
    if sees_details(principal, Facts.of(offices=[booking.office_code])):
        return booking
    return Undisclosed(booking)


def _actor(principal: Principal) -> bookings.Actor:
    admin = principal.is_admin
    return bookings.Actor(name=principal.name, may_override=admin, may_record_past=admin)


def _load_for(principal: Principal, booking_id: int, *, write: bool) -> Booking:
    action = Action.CHANGE if write else Action.READ
    return load_booking(get_session(), principal, booking_id, action)


@blp.route("")
class Bookings(MethodView):
    @blp.arguments(BookingQuerySchema, location="query")
    @blp.response(200, BookingSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Any:
        """List bookings, filtered by office, resource, beneficiary, type, status and dates."""
        principal = current_principal()
        query = select(Booking)
        if "office" in filters:
            query = query.where(Booking.office.has(Office.code == filters["office"]))
        if "resource_id" in filters:
            query = query.where(Booking.holds.any(Hold.resource_id == filters["resource_id"]))
        if "beneficiary_id" in filters:
            query = query.where(
                Booking.attendee_rows.any(
                    BookingBeneficiary.beneficiary_id == filters["beneficiary_id"]
                )
            )
        for name in ("type", "status"):
            if name in filters:
                query = query.where(getattr(Booking, name) == filters[name])
        if "start" in filters:
            query = query.where(Booking.ends_at > filters["start"])
        if "end" in filters:
            query = query.where(Booking.starts_at < filters["end"])
        query = query.where(bookings_in(list_scope(principal, Kind.BOOKING)))
        session = get_session()
        pagination_parameters.item_count = session.scalar(
            select(func.count()).select_from(query.subquery())
        )
        page = (
            query.order_by(Booking.starts_at, Booking.id)
            .offset(pagination_parameters.first_item)
            .limit(pagination_parameters.page_size)
        )
        return [shown(principal, booking) for booking in session.scalars(page)]

    @idempotent(blp)
    @blp.arguments(BookingCreateSchema)
    @blp.response(201, BookingSchema)
    @blp.alt_response(409, description="A resource is already held at that time.")
    def post(self, data: dict[str, Any]) -> Any:
        """Book resources for beneficiaries; all resources are held or none is."""
        principal = current_principal()
        require(principal, Action.CHANGE, Kind.BOOKING)
        session = get_session()
        facts = booking_request_facts(
            session, data.get("office"), data["resource_ids"], len(data["beneficiary_ids"])
        )
        require(principal, Action.CHANGE, Kind.BOOKING, facts)
        seen = check_beneficiaries(session, principal, data["beneficiary_ids"], "beneficiary_ids")
        booking = bookings.create_booking(
            session, bookings.BookingRequest(**data), _actor(principal), booking_policy(), seen
        )
        session.commit()
        return shown(principal, booking)


@blp.route("/<int:booking_id>")
class BookingById(MethodView):
    @blp.response(200, BookingSchema)
    def get(self, booking_id: int) -> Any:
        principal = current_principal()
        return shown(principal, _load_for(principal, booking_id, write=False))


def _transition(action: str, booking_id: int, reason: str | None = None) -> Any:
    principal = current_principal()
    booking = _load_for(principal, booking_id, write=True)
    session = get_session()
    bookings.change_status(session, booking, action, _actor(principal), reason=reason)
    session.commit()
    return shown(principal, booking)


@blp.route("/<int:booking_id>/confirm")
class Confirm(MethodView):
    @idempotent(blp)
    @blp.response(200, BookingSchema)
    def post(self, booking_id: int) -> Any:
        """Confirm a tentative booking."""
        return _transition("confirm", booking_id)


@blp.route("/<int:booking_id>/cancel")
class Cancel(MethodView):
    @idempotent(blp)
    @blp.arguments(CancelSchema)
    @blp.response(200, BookingSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Cancel with a reason; the time is free again at once."""
        return _transition("cancel", booking_id, data["reason"])


@blp.route("/<int:booking_id>/complete")
class Complete(MethodView):
    @idempotent(blp)
    @blp.response(200, BookingSchema)
    def post(self, booking_id: int) -> Any:
        return _transition("complete", booking_id)


@blp.route("/<int:booking_id>/no-show")
class NoShow(MethodView):
    @idempotent(blp)
    @blp.response(200, BookingSchema)
    def post(self, booking_id: int) -> Any:
        """Record that the beneficiary did not come."""
        return _transition("no_show", booking_id)


@blp.route("/<int:booking_id>/reschedule")
class Reschedule(MethodView):
    @idempotent(blp)
    @blp.arguments(RescheduleSchema)
    @blp.response(200, BookingSchema)
    @blp.alt_response(409, description="A clash, or a stale version.")
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Move a booking; `version` must be the one the client read."""
        principal = current_principal()
        booking = _load_for(principal, booking_id, write=True)
        session = get_session()
        if "resource_ids" in data:
            facts = booking_request_facts(
                session, booking.office_code, data["resource_ids"], len(booking.attendee_rows)
            )
            require(principal, Action.CHANGE, Kind.BOOKING, facts)
        language = None
        if "language_override" in data or "language_override_reason" in data:
            language = LanguageOverride(
                data.get("language_override", False), data.get("language_override_reason")
            )
        bookings.reschedule_booking(
            session,
            booking,
            version=data["version"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            resource_ids=data.get("resource_ids"),
            actor=_actor(principal),
            policy=booking_policy(),
            override=data["override"],
            language_override=language,
            interpreter_override=requested_override(data),
        )
        session.commit()
        return shown(principal, booking)


@blp.route("/<int:booking_id>/audit")
class Audit(MethodView):
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, booking_id: int) -> Any:
        """The booking's audit trail, oldest first (without beneficiaries, notes and override
        reasons for those who may not see them)."""
        principal = current_principal()
        booking = _load_for(principal, booking_id, write=False)
        entries = get_session().scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "booking", AuditEntry.entity_id == booking_id)
            .order_by(AuditEntry.id)
        )
        if isinstance(shown(principal, booking), Booking):
            return entries
        return [undisclosed_entry(entry) for entry in entries]


def undisclosed_entry(entry: AuditEntry) -> dict[str, Any]:
    """An audit entry with the values `Undisclosed` hides left out of its images."""

    def image(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: Undisclosed.hidden.get(k, v) for k, v in values.items()}

    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "before": image(entry.before),
        "after": image(entry.after),
    }
