"""A series' people: enrol by case reference, withdraw (the waitlist moves up), the register."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access.access_facts import series_facts
from service.access.access_loaders import find_beneficiary
from service.access.access_policy import Action, Kind, allows, require
from service.console import series_queries as queries
from service.console.forms import CancelForm, RescheduleForm
from service.console.i18n import language_refusal
from service.console.once import once_per_form
from service.console.series_forms import (
    EnrolForm,
    RegisterForm,
    SplitForm,
    WithdrawForm,
    read_marks,
)
from service.console.views_bookings import (
    interpreter_override_of,
    interpreter_refusal,
    may_override_language,
    reschedule_form,
)
from service.console.views_series import load_series, render_series
from service.console.web import actor, bp, principal
from service.console.words import describe
from service.interpreters.interpreter_rules import InterpreterOverride
from service.interpreters.language_match import LanguageMismatch, LanguageOverride
from service.models import Booking, Series
from service.models.series import ATTENDANCE_MARKS
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import DomainError, Invalid
from service.series import attendance, enrolment
from service.series import series as ops
from service.series.series import LIVE


@bp.route("/series/<int:series_id>/enrol", methods=["POST"])
@once_per_form
def series_enrol(series_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    form = EnrolForm()
    db, who = get_session(), principal()
    may_override = may_override_language(who)
    if not form.validate():
        ticked = may_override and bool(form.language_override.data)
        return render_series(shown, 422, enrol=form, offer_override=ticked)
    override = may_override and bool(form.language_override.data)
    language = LanguageOverride(
        override, (form.language_override_reason.data or None) if override else None
    )
    try:
        beneficiary = find_beneficiary(db, who, form.case_reference.data or "")
        asked = interpreter_override_of(who, form)
        interpreter = InterpreterOverride(
            asked["interpreter_override"], asked["interpreter_override_reason"]
        )
        row = enrolment.enrol(
            db,
            shown.id,
            beneficiary.id,
            actor(),
            language_override=language,
            interpreter_override=interpreter,
        )
    except LanguageMismatch as exc:
        db.rollback()
        refusal = language_refusal(exc)
        return render_series(
            shown, exc.status, enrol=form, enrol_error=refusal, offer_override=may_override
        )
    except DomainError as exc:
        db.rollback()
        matching = interpreter_refusal(who, exc) if isinstance(exc, Invalid) else None
        if matching is not None:
            words, offer = matching
            return render_series(
                shown, exc.status, enrol=form, enrol_error=words, offer_interpreter_override=offer
            )
        if isinstance(exc, Invalid) and exc.field == "language_override_reason":
            why = _("Say why they are enrolled all the same.")
            return render_series(
                shown, exc.status, enrol=form, enrol_error=why, offer_override=True
            )
        return render_series(shown, exc.status, enrol=form, enrol_error=describe(exc))
    position = enrolment.waitlist_position(db, row)
    db.commit()
    if position is None:
        flash(_("%(reference)s is enrolled.", reference=beneficiary.case_reference))
    else:
        flash(
            _(
                "The series is full: %(reference)s is number %(position)d on the waitlist.",
                reference=beneficiary.case_reference,
                position=position,
            )
        )
    return redirect(url_for("console.series_page", series_id=shown.id, _anchor="enrolment"))


@bp.route("/series/<int:series_id>/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
def series_withdraw(series_id: int, enrolment_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    WithdrawForm()  # the CSRF token was checked before the view
    db = get_session()
    if request.form.get("confirmed") != "yes":  # asked on the page first
        place = enrolment.get_enrolment(db, shown, enrolment_id)
        return render_series(shown, confirm_withdraw=place)
    promoted = enrolment.withdraw(db, shown.id, enrolment_id, actor())
    moved_up = [p.beneficiary.case_reference for p in promoted]
    db.commit()
    flash(_("The place is given up."))
    for reference in moved_up:
        flash(_("%(reference)s moved up from the waitlist.", reference=reference))
    return redirect(url_for("console.series_page", series_id=shown.id, _anchor="enrolment"))


def render_occurrence(
    shown: Series,
    booking: Booking,
    status: int = 200,
    form: RegisterForm | None = None,
    posted: dict[int, str] | None = None,
    *,
    move: RescheduleForm | None = None,
    cancel: CancelForm | None = None,
    split: SplitForm | None = None,
    **extra: Any,
) -> ResponseReturnValue:
    """One date's page: its register once held, else the forms to move or cancel it."""
    db = get_session()
    who = principal()
    marks = {row.beneficiary_id: row.mark for row in attendance.list_attendance(db, booking)}
    now = utcnow()
    move_times = (to_sofia(booking.starts_at).time(), to_sofia(booking.ends_at).time())
    may_change = allows(who, Action.CHANGE, Kind.SERIES, series_facts(db, shown))
    changeable = may_change and booking.status in LIVE and booking.starts_at > now
    return render_template(
        "console/series_register.html",
        series=shown,
        booking=booking,
        form=form or RegisterForm(formdata=None, walk_ins=booking.walk_ins),
        people=queries.enrolled_references(db, shown),
        marks=marks | (posted or {}),
        choices=ATTENDANCE_MARKS,
        held=booking.starts_at <= now and booking.status != "cancelled",
        changeable=changeable,
        move=move or reschedule_form(booking),
        cancel=cancel or CancelForm(formdata=None),
        split=split or SplitForm(formdata=None, starts=move_times[0], ends=move_times[1]),
        **extra,
    ), status


def _register_of(series_id: int, action: Action) -> Series:
    """Load a series whose register the user may read or take (its teacher may)."""
    shown = load_series(principal(), series_id, write=False)
    require(principal(), action, Kind.ATTENDANCE, series_facts(get_session(), shown))
    return shown


@bp.route("/series/<int:series_id>/occurrences/<int:occurrence_id>")
def series_register(series_id: int, occurrence_id: int) -> ResponseReturnValue:
    shown = _register_of(series_id, Action.READ)
    booking = ops.get_occurrence(get_session(), shown, occurrence_id)
    return render_occurrence(shown, booking)


@bp.route("/series/<int:series_id>/occurrences/<int:occurrence_id>", methods=["POST"])
def series_record(series_id: int, occurrence_id: int) -> ResponseReturnValue:
    """Record the register of one occurrence (and its walk-ins): every mark, or none."""
    shown = _register_of(series_id, Action.CHANGE)
    db = get_session()
    booking = ops.get_occurrence(db, shown, occurrence_id)
    form = RegisterForm()
    people = [beneficiary_id for beneficiary_id, _ref in queries.enrolled_references(db, shown)]
    marks = read_marks(request.form, people)
    if not form.validate():
        return render_occurrence(shown, booking, 422, form, posted=dict(marks))
    if "all_present" in request.form:  # marked, not saved: still editable before saving
        everyone = dict.fromkeys(people, "present")
        return render_occurrence(shown, booking, 200, form, posted=everyone, all_marked=True)
    walk_ins_changed = form.walk_ins.data is not None and form.walk_ins.data != booking.walk_ins
    if not marks and not walk_ins_changed:
        return render_occurrence(shown, booking, 422, form, nothing_to_save=True)
    try:
        attendance.record_register(db, shown, booking, marks, actor())
        if walk_ins_changed:
            attendance.record_walk_ins(db, booking, form.walk_ins.data, actor())
    except DomainError as exc:
        db.rollback()
        return render_occurrence(shown, booking, exc.status, form, error=describe(exc))
    db.commit()
    flash(_("The register is saved."))
    return redirect(
        url_for("console.series_register", series_id=shown.id, occurrence_id=booking.id)
    )
