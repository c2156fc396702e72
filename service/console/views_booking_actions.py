"""What a booking's page can do besides cancel: reschedule, complete, no-show, resend an SMS."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service import bookings, outbox
from service.auth import authorize_booking, require_role
from service.clock import sofia_instant
from service.console import queries
from service.console.forms import RescheduleForm
from service.console.views_bookings import load_booking, render_booking
from service.console.web import actor, bp, policy, principal
from service.db import get_session
from service.errors import Conflict, Invalid, InvalidTransition, NotFound, StaleVersion
from service.models import OutboxMessage


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["POST"])
def reschedule(booking_id: int) -> ResponseReturnValue:
    shown = load_booking(principal(), booking_id, write=True)
    form = RescheduleForm()
    if not form.validate():
        return render_booking(shown, 422, reschedule=form)
    assert form.day.data and form.starts.data and form.ends.data  # validated
    db = get_session()
    try:
        bookings.reschedule_booking(
            db,
            shown,
            version=form.version.data or 0,
            starts_at=sofia_instant(form.day.data, form.starts.data),
            ends_at=sofia_instant(form.day.data, form.ends.data),
            resource_ids=None,
            actor=actor(),
            policy=policy(),
        )
    except StaleVersion:
        db.rollback()
        message = _(
            "Someone changed this booking while you were looking at it. "
            "Check its new details below and try again."
        )
        return render_booking(bookings.get_booking(db, booking_id), 409, stale=message)
    except Conflict as exc:
        db.rollback()
        clashes = queries.describe_conflicts(db, exc.conflicts)
        return render_booking(
            shown, 409, reschedule=form, clashes=clashes, reschedule_error=exc.message
        )
    except (Invalid, InvalidTransition) as exc:
        db.rollback()
        return render_booking(shown, 422, reschedule=form, reschedule_error=exc.message)
    db.commit()
    flash(_("Booking %(id)d is moved.", id=shown.id))
    return redirect(url_for("console.booking", booking_id=shown.id))


@bp.route("/bookings/<int:booking_id>/<any(complete, no_show):action>", methods=["POST"])
def close(booking_id: int, action: str) -> ResponseReturnValue:
    shown = load_booking(principal(), booking_id, write=True)
    db = get_session()
    bookings.change_status(db, shown, action, actor())
    db.commit()
    if action == "complete":
        flash(_("Booking %(id)d is marked completed.", id=shown.id))
    else:
        flash(_("Booking %(id)d is marked as a no-show.", id=shown.id))
    return redirect(url_for("console.booking", booking_id=shown.id))


def _back(message: OutboxMessage | None) -> str:
    if request.form.get("back") == "booking" and message and message.booking_id:
        return url_for("console.booking", booking_id=message.booking_id)
    return url_for("console.reminders")


@bp.route("/notifications/<int:outbox_id>/resend", methods=["POST"])
def resend(outbox_id: int) -> ResponseReturnValue:
    """Queue a failed SMS again, with the API's rules: coordinators of the office, admins."""
    who = principal()
    require_role(who, "admin", "coordinator")
    db = get_session()
    found = db.get(OutboxMessage, outbox_id)
    if found is None:
        raise NotFound(f"No notification with id {outbox_id}.")
    if found.booking_id is not None:
        booking = bookings.get_booking(db, found.booking_id)
        authorize_booking(who, office_code=booking.office_code, resource_ids=(), write=True)
    elif not who.is_admin:
        raise NotFound(f"No notification with id {outbox_id}.")
    try:
        copy = outbox.resend_message(db, outbox_id)
    except (Conflict, Invalid, InvalidTransition) as exc:
        db.rollback()
        flash(_("Not resent: %(reason)s", reason=exc.message))
        return redirect(_back(found))
    db.commit()
    flash(_("The message is queued again (notification %(id)d).", id=copy.id))
    return redirect(_back(found))
