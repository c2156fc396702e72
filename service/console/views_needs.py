"""A beneficiary's interpreter needs and avoided interpreters, recorded from their page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access import access_loaders
from service.access.access_policy import Action
from service.console import needs_section
from service.console.roles import require_section
from service.console.views_beneficiaries import _render_one
from service.console.web import bp, principal
from service.interpreters import interpreter_needs
from service.models import Beneficiary
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid, InvalidTransition, NotFound


def _load(beneficiary_id: int) -> Beneficiary:
    require_section("beneficiaries")
    return access_loaders.load_needs_of(get_session(), principal(), beneficiary_id, Action.CHANGE)


def _back(beneficiary: Beneficiary, reassign: int | None = None) -> ResponseReturnValue:
    return redirect(
        url_for(
            "console.beneficiary",
            beneficiary_id=beneficiary.id,
            reassign=reassign,
            _anchor="needs",
        )
    )


def _refused(exc: Invalid | InvalidTransition) -> str:
    """The domain's refusal in the page's language."""
    if isinstance(exc, InvalidTransition):
        return str(_("This beneficiary's data was erased; nothing can be changed."))
    words = {
        "gender": _("Choose female, male or no preference."),
        "dialect": _("Not a dialect tag: give a language with a region or script, e.g. ar-SY."),
        "interpreter_id": _("Choose one of the interpreters offered."),
        "reason": _("Say why, in at most 500 characters."),
    }
    return str(words.get(exc.field, exc.message))


@bp.route("/beneficiaries/<int:beneficiary_id>/needs", methods=["POST"])
def beneficiary_needs(beneficiary_id: int) -> ResponseReturnValue:
    """Record the interpreter's gender asked for, the dialect and a child-trained interpreter."""
    shown = _load(beneficiary_id)
    db = get_session()
    form = needs_section.NeedsForm()
    if not form.validate():
        return _render_one(shown, 422, needs=needs_section.build(db, shown, needs_form=form))
    change = interpreter_needs.NeedsChange(
        gender=form.gender.data or None,
        dialect=(form.dialect.data or "").strip() or None,
        child_trained=bool(form.child_trained.data),
    )
    try:
        interpreter_needs.set_needs(db, shown, change, principal().name)
    except (Invalid, InvalidTransition) as exc:
        db.rollback()
        field = getattr(form, getattr(exc, "field", ""), None) or form.dialect
        field.errors = [_refused(exc)]
        return _render_one(shown, 422, needs=needs_section.build(db, shown, needs_form=form))
    db.commit()
    flash(_("The interpreter needs are saved."))
    return _back(shown)


@bp.route("/beneficiaries/<int:beneficiary_id>/avoided", methods=["POST"])
def beneficiary_avoid(beneficiary_id: int) -> ResponseReturnValue:
    """Add an interpreter to the avoid list, with a reason; then show what to reassign."""
    shown = _load(beneficiary_id)
    db = get_session()
    form = needs_section.AvoidForm()
    if not form.validate() or not (form.interpreter.data or "").isdigit():
        if not form.errors:
            form.interpreter.errors = [_("Choose one of the interpreters offered.")]
        return _render_one(shown, 422, needs=needs_section.build(db, shown, avoid_form=form))
    interpreter_id = int(form.interpreter.data or 0)
    try:
        interpreter_needs.avoid_interpreter(
            db, shown, interpreter_id, form.reason.data or "", principal().name
        )
    except (Invalid, InvalidTransition) as exc:
        db.rollback()
        target = form.reason if getattr(exc, "field", "") == "reason" else form.interpreter
        target.errors = [_refused(exc)]
        return _render_one(shown, 422, needs=needs_section.build(db, shown, avoid_form=form))
    db.commit()
    flash(_("The interpreter is on the avoid list; they will not be booked for this person."))
    return _back(shown, reassign=interpreter_id)


@bp.route(
    "/beneficiaries/<int:beneficiary_id>/avoided/<int:interpreter_id>/remove", methods=["POST"]
)
def beneficiary_stop_avoiding(beneficiary_id: int, interpreter_id: int) -> ResponseReturnValue:
    """Take an interpreter off the avoid list, once confirmed on the page."""
    shown = _load(beneficiary_id)
    db = get_session()
    form = needs_section.StopAvoidingForm()
    if not form.validate() or form.confirmed.data != "yes":
        section = needs_section.build(db, shown, confirm_stop=interpreter_id)
        if section.confirm_stop is None:
            raise NotFound(f"Interpreter {interpreter_id} is not on this avoid list.")
        return _render_one(shown, needs=section)
    interpreter_needs.stop_avoiding(db, shown, interpreter_id, principal().name)
    db.commit()
    flash(_("The interpreter is off the avoid list."))
    return _back(shown)
