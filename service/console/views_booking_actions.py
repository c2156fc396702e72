"""What a booking's page can do besides cancel: move, complete, no-show; resend or mark
handled an SMS."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, format_time
from flask_babel import gettext as _

from service.access import access_loaders
from service.booking import bookings
from service.console import queries
from service.console.forms import RescheduleForm
from service.console.i18n import label
from service.console.views_bookings import (
    interpreter_override_of,
    interpreter_refusal,
    load_booking,
    render_booking,
)
from service.console.web import actor, bp, policy, principal
from service.console.words import describe
from service.interpreters.interpreter_rules import InterpreterOverride
from service.models import OutboxMessage
from service.notify import notifications, outbox
from service.plumbing.clock import sofia_instant
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, Invalid, InvalidTransition, StaleVersion


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["POST"])
def reschedule(booking_id: int) -> ResponseReturnValue:
    shown = load_booking(principal(), booking_id, write=True)
    form = RescheduleForm()
    day, starts, ends = form.day.data, form.starts.data, form.ends.data
    if not (form.validate() and day and starts and ends):
        error = _("Reload the page and try again.") if form.version.errors else None
        return render_booking(shown, 422, reschedule=form, reschedule_error=error)
    db, who = get_session(), principal()
    asked = interpreter_override_of(who, form)
    try:
        bookings.reschedule_booking(
            db,
            shown,
            version=form.version.data or 0,
            starts_at=sofia_instant(day, starts),
            ends_at=sofia_instant(day, ends),
            resource_ids=None,
            actor=actor(),
            policy=policy(),
            interpreter_override=InterpreterOverride(
                asked["interpreter_override"], asked["interpreter_override_reason"]
            ),
        )
    except StaleVersion:
        db.rollback()
        current = bookings.get_booking(db, booking_id)
        # Keep what was typed, against the current version, and say what the booking is now.
        form.version.data, form.version.raw_data = current.version, None
        message = _(
            "Someone changed this booking while you were looking at it: it is now %(when)s "
            "(%(status)s). Your new times are kept below; check them and move again.",
            when=format_datetime(current.starts_at, "EEEE d MMMM, HH:mm")
            + "\u2013"
            + format_time(current.ends_at, "HH:mm"),
            status=label(current.status),
        )
        return render_booking(current, 409, reschedule=form, stale=message)
    except Conflict as exc:
        db.rollback()
        clashes = queries.describe_conflicts(db, exc.conflicts)
        return render_booking(
            shown, 409, reschedule=form, clashes=clashes, reschedule_error=describe(exc)
        )
    except (Invalid, InvalidTransition) as exc:
        db.rollback()
        matching = interpreter_refusal(who, exc) if isinstance(exc, Invalid) else None
        words, offer = matching if matching is not None else (describe(exc), False)
        return render_booking(
            shown,
            422,
            reschedule=form,
            reschedule_error=words,
            offer_interpreter_override=offer,
        )
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


def _back(message: OutboxMessage) -> str:
    if request.form.get("back") == "booking" and message.booking_id:
        return url_for("console.booking", booking_id=message.booking_id)
    return url_for("console.reminders")


@bp.route("/notifications/<int:outbox_id>/resend", methods=["POST"])
def resend(outbox_id: int) -> ResponseReturnValue:
    """Queue a failed SMS again, by the API's rules: admins and coordinators of the office."""
    db = get_session()
    found = access_loaders.load_message(db, principal(), outbox_id)
    try:
        copy = outbox.resend_message(db, outbox_id)
    except (Conflict, Invalid, InvalidTransition) as exc:
        db.rollback()
        flash(_("Not resent: %(reason)s", reason=describe(exc)))
        return redirect(_back(found))
    db.commit()
    flash(_("The message is queued again (notification %(id)d).", id=copy.id))
    return redirect(_back(found))


@bp.route("/notifications/<int:outbox_id>/handled", methods=["POST"])
def handled(outbox_id: int) -> ResponseReturnValue:
    """Take a message off the list needing attention (dealt with some other way)."""
    who = principal()
    db = get_session()
    found = access_loaders.load_message(db, who, outbox_id)
    try:
        notifications.mark_handled(db, outbox_id, by=who.name)
    except (Conflict, InvalidTransition) as exc:
        db.rollback()
        flash(_("Not changed: %(reason)s", reason=describe(exc)))
        return redirect(_back(found))
    db.commit()
    flash(_("Notification %(id)d is marked handled.", id=outbox_id))
    return redirect(_back(found))
