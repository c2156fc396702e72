"""A beneficiary's data: the export (a subject access request) and the erasure, for who may."""

from __future__ import annotations

import json

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access import access_loaders
from service.access.access_facts import beneficiary_facts
from service.access.access_policy import Action, Kind, allows, require
from service.console.forms_people import ErasureForm
from service.console.roles import require_section
from service.console.web import actor, bp, principal
from service.models import Beneficiary
from service.plumbing.db import get_session
from service.privacy import data_export, erasure
from service.resources.privacy_schemas import BeneficiaryExportSchema


@bp.app_template_global()
def may_export(beneficiary: Beneficiary) -> bool:
    who = principal()
    return allows(who, Action.READ, Kind.EXPORT, beneficiary_facts(beneficiary))


@bp.app_template_global()
def may_erase(beneficiary: Beneficiary) -> bool:
    return beneficiary.erased_at is None and allows(principal(), Action.CHANGE, Kind.ERASURE)


@bp.route("/beneficiaries/<int:beneficiary_id>/export")
def beneficiary_export(beneficiary_id: int) -> ResponseReturnValue:
    """Download everything kept about the beneficiary as JSON (times in Europe/Sofia)."""
    require_section("beneficiaries")
    who, db = principal(), get_session()
    shown = access_loaders.load_beneficiary(db, who, beneficiary_id, Action.READ)
    require(who, Action.READ, Kind.EXPORT, beneficiary_facts(shown))
    found = data_export.export_beneficiary(db, beneficiary_id)
    body = json.dumps(BeneficiaryExportSchema().dump(found), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="beneficiary-{beneficiary_id}.json"',
            "Cache-Control": "no-store",
        },
    )


def _erasable(beneficiary_id: int) -> Beneficiary:
    who = principal()
    require(who, Action.CHANGE, Kind.ERASURE)
    return access_loaders.load_beneficiary(get_session(), who, beneficiary_id, Action.READ)


def _render(shown: Beneficiary, form: ErasureForm, status: int = 200) -> ResponseReturnValue:
    preview = erasure.preview_erasure(get_session(), shown.id)
    return render_template("console/erasure.html", b=shown, form=form, preview=preview), status


@bp.route("/beneficiaries/<int:beneficiary_id>/erase", methods=["GET", "POST"])
def beneficiary_erase(beneficiary_id: int) -> ResponseReturnValue:
    """Show what an erasure removes; erase once the case reference is typed again (admins)."""
    shown = _erasable(beneficiary_id)
    form = ErasureForm()
    if not form.is_submitted():
        return _render(shown, ErasureForm(formdata=None))
    if not form.validate():
        return _render(shown, form, 422)
    if (form.confirmation.data or "").strip() != shown.case_reference:
        form.confirmation.errors = [_("This is not the case reference of this beneficiary.")]
        return _render(shown, form, 422)
    db = get_session()
    done = erasure.erase_beneficiary(db, beneficiary_id, actor())
    db.commit()
    return render_template("console/erased.html", b=shown, done=done)
