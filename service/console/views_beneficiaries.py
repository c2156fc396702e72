"""Beneficiaries: search and list, register, consent with its history, the discreet flag."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Field

from service.access import access_loaders
from service.access.access_policy import (
    Action,
    Facts,
    Kind,
    allows,
    list_scope,
    require_office_changes,
)
from service.console import needs_section, people_queries
from service.console.forms_people import (
    BeneficiaryForm,
    BeneficiarySearchForm,
    ConsentForm,
    DiscreetForm,
    OfficesForm,
    OtherLanguagesForm,
)
from service.console.once import once_per_form
from service.console.roles import require_section
from service.console.views_series import office_name
from service.console.web import bp, page_number, principal
from service.console.words import describe
from service.directory import beneficiaries
from service.directory.phones import mask_phone
from service.models import Beneficiary, Office
from service.notify.catalogue import CATALOGUE
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, Invalid

SOURCES = ("console", "api", "sms_stop", "sms_start", "twilio_21610")


@bp.route("/beneficiaries")
def beneficiaries_list() -> ResponseReturnValue:
    require_section("beneficiaries")
    form = BeneficiarySearchForm(formdata=request.args)
    reference = (form.q.data or "") if form.validate() else ""
    scope = list_scope(principal(), Kind.BENEFICIARY)
    found = people_queries.search_beneficiaries(get_session(), scope, reference, page_number())
    return render_template(
        "console/beneficiaries.html", form=form, found=found, reference=reference
    )


def _render_new(form: BeneficiaryForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "console/beneficiary_new.html", form=form, languages=sorted(CATALOGUE)
    ), status


def _show_invalid(form: BeneficiaryForm, exc: Invalid) -> None:
    """Put the domain's refusal on the field it names, in the page's language when known."""
    words = {
        "phone": _("This is not a valid phone number."),
        "guardian_phone": _("This is not a valid phone number."),
        "language": _("Unknown language code: use ISO 639, e.g. ar, fa, prs, uk."),
    }
    field: Field = form._fields.get(exc.field) or form.case_reference
    field.errors = [words.get(exc.field, describe(exc))]


@bp.route("/beneficiaries/new", methods=["GET", "POST"])
@once_per_form
def beneficiary_new() -> ResponseReturnValue:
    require_section("beneficiaries")
    form = BeneficiaryForm()
    who, db = principal(), get_session()
    form.office.choices = [
        (office.code, office_name(office))
        for office in db.scalars(select(Office).order_by(Office.code))
        if allows(who, Action.CHANGE, Kind.BENEFICIARY, Facts.of(offices=[office.code]))
    ]
    if request.method == "GET":
        return _render_new(form)
    if not form.validate():
        return _render_new(form, 422)
    registration = beneficiaries.BeneficiaryRequest(
        case_reference=form.case_reference.data or "",
        language=(form.language.data or "").strip().lower(),
        phone=form.phone.data or None,
        sms_consent=form.sms_consent.data,
        discreet=form.discreet.data,
        is_minor=form.is_minor.data,
        guardian_phone=form.guardian_phone.data or None,
        offices=[form.office.data or ""],
    )
    try:
        beneficiary = beneficiaries.register_beneficiary(
            db, registration, source="console", actor=principal().name
        )
    except Conflict:
        db.rollback()
        form.case_reference.errors = [_("This case reference is registered already.")]
        return _render_new(form, 409)
    except Invalid as exc:
        db.rollback()
        _show_invalid(form, exc)
        return _render_new(form, 422)
    db.commit()
    flash(_("Registered %(reference)s.", reference=beneficiary.case_reference))
    return redirect(url_for("console.beneficiary", beneficiary_id=beneficiary.id))


def _offices_form(beneficiary: Beneficiary, formdata: MultiDict[str, str] | None) -> OfficesForm:
    """Offer every office to share with; an office already holding the beneficiary can be
    unticked only by who may change that office's beneficiaries (else it stays, disabled)."""
    who, db = principal(), get_session()
    form = OfficesForm(formdata=formdata)
    held = set(beneficiary.office_codes)
    form.offices.choices = [
        (office.code, office_name(office))
        for office in db.scalars(select(Office).order_by(Office.code))
    ]
    form.locked = sorted(
        code
        for code in held
        if not allows(who, Action.CHANGE, Kind.BENEFICIARY, Facts.of(offices=[code]))
    )
    if formdata is None:
        form.offices.data = sorted(held)
    return form


def _render_one(
    beneficiary: Beneficiary,
    status: int = 200,
    error: str | None = None,
    offices_form: OfficesForm | None = None,
    confirm_withdrawal: bool = False,
    languages_form: OtherLanguagesForm | None = None,
    needs: needs_section.NeedsSection | None = None,
) -> ResponseReturnValue:
    db = get_session()
    if needs is None and needs_section.may_see_needs(principal(), beneficiary):
        reassign = request.args.get("reassign", type=int)
        needs = needs_section.build(db, beneficiary, reassign=reassign)
    if languages_form is None:
        languages_form = OtherLanguagesForm(formdata=None)
        languages_form.other_languages.data = ", ".join(beneficiary.other_languages)
    return render_template(
        "console/beneficiary.html",
        b=beneficiary,
        phone=mask_phone(beneficiary.phone),
        guardian_phone=mask_phone(beneficiary.guardian_phone),
        history=people_queries.consent_history(db, beneficiary.id),
        bookings=people_queries.upcoming_bookings(db, principal(), beneficiary.id),
        consent_form=ConsentForm(formdata=None),
        discreet_form=DiscreetForm(formdata=None),
        offices_form=offices_form or _offices_form(beneficiary, None),
        confirm_withdrawal=confirm_withdrawal,
        offer_undo=request.args.get("undo") == "consent" and not beneficiary.sms_consent,
        languages_form=languages_form,
        sources=SOURCES,
        error=error,
        needs=needs,
    ), status


def _load(beneficiary_id: int, action: Action) -> Beneficiary:
    return access_loaders.load_beneficiary(get_session(), principal(), beneficiary_id, action)


def _change(shown: Beneficiary, changes: beneficiaries.BeneficiaryChanges) -> None:
    """Apply a change from the console, audited under the signed-in user."""
    beneficiaries.update_beneficiary(
        get_session(), shown, changes, actor=principal().name, source="console"
    )


@bp.route("/beneficiaries/<int:beneficiary_id>")
def beneficiary(beneficiary_id: int) -> ResponseReturnValue:
    require_section("beneficiaries")
    return _render_one(_load(beneficiary_id, Action.READ))


@bp.route("/beneficiaries/<int:beneficiary_id>/consent", methods=["POST"])
def beneficiary_consent(beneficiary_id: int) -> ResponseReturnValue:
    require_section("beneficiaries")
    db = get_session()
    shown = _load(beneficiary_id, Action.CHANGE)
    form = ConsentForm()
    if not form.validate() or form.consent.data not in ("yes", "no"):
        return _render_one(shown, 422, _("Choose to record consent or its withdrawal."))
    if form.consent.data == "no" and shown.sms_consent and form.confirmed.data != "yes":
        return _render_one(shown, confirm_withdrawal=True)  # asked on the page first
    try:
        _change(shown, beneficiaries.BeneficiaryChanges(sms_consent=form.consent.data == "yes"))
    except Invalid:
        db.rollback()
        return _render_one(shown, 422, _("SMS consent needs a number to send to."))
    db.commit()
    if shown.sms_consent:
        flash(_("SMS consent recorded."))
        return redirect(url_for("console.beneficiary", beneficiary_id=shown.id))
    flash(_("SMS consent withdrawn."))
    return redirect(url_for("console.beneficiary", beneficiary_id=shown.id, undo="consent"))


@bp.route("/beneficiaries/<int:beneficiary_id>/discreet", methods=["POST"])
def beneficiary_discreet(beneficiary_id: int) -> ResponseReturnValue:
    require_section("beneficiaries")
    db = get_session()
    shown = _load(beneficiary_id, Action.CHANGE)
    form = DiscreetForm()
    if not form.validate() or form.discreet.data not in ("yes", "no"):
        return _render_one(shown, 422, _("Choose to turn discreet on or off."))
    _change(shown, beneficiaries.BeneficiaryChanges(discreet=form.discreet.data == "yes"))
    db.commit()
    flash(_("Discreet is on.") if shown.discreet else _("Discreet is off."))
    return redirect(url_for("console.beneficiary", beneficiary_id=shown.id))


@bp.route("/beneficiaries/<int:beneficiary_id>/offices", methods=["POST"])
def beneficiary_offices(beneficiary_id: int) -> ResponseReturnValue:
    """Share a beneficiary with more offices or take them out of one, audited."""
    require_section("beneficiaries")
    db, who = get_session(), principal()
    shown = _load(beneficiary_id, Action.CHANGE)
    form = _offices_form(shown, request.form)
    if not form.validate():
        return _render_one(shown, 422, offices_form=form)
    chosen = sorted(set(form.offices.data or []) | set(form.locked))
    require_office_changes(who, shown.office_codes, chosen)
    _change(shown, beneficiaries.BeneficiaryChanges(offices=chosen))
    db.commit()
    names = ", ".join(office_name(office) for office in shown.offices)
    flash(
        _("%(reference)s belongs to: %(offices)s.", reference=shown.case_reference, offices=names)
    )
    return redirect(url_for("console.beneficiary", beneficiary_id=shown.id))


@bp.route("/beneficiaries/<int:beneficiary_id>/languages", methods=["POST"])
def beneficiary_languages(beneficiary_id: int) -> ResponseReturnValue:
    require_section("beneficiaries")
    db = get_session()
    shown = _load(beneficiary_id, Action.CHANGE)
    form = OtherLanguagesForm()
    if not form.validate():
        return _render_one(shown, 422, languages_form=form)
    text = (form.other_languages.data or "").replace(";", ",")
    codes = [code.strip().lower() for code in text.split(",") if code.strip()]
    try:
        _change(shown, beneficiaries.BeneficiaryChanges(other_languages=codes))
    except Invalid:
        db.rollback()
        form.other_languages.errors = [
            _("Unknown language code: use ISO 639, e.g. ar, fa, prs, uk.")
        ]
        return _render_one(shown, 422, languages_form=form)
    db.commit()
    flash(_("The languages are saved."))
    return redirect(url_for("console.beneficiary", beneficiary_id=shown.id))
