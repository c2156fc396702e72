"""A staff member enters their own time off, in Sofia time, on their calendar page."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access.access_facts import resource_facts
from service.access.access_policy import Action, Kind, require
from service.console import queries
from service.console.forms_people import TimeOffForm
from service.console.views_calendar import render_calendar
from service.console.web import bp, principal
from service.console.words import describe
from service.directory import catalogue
from service.plumbing.clock import sofia_instant
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, Forbidden, Invalid


def _instant(wall: datetime) -> datetime:
    return sofia_instant(wall.date(), wall.time())


@bp.route("/calendar/time-off", methods=["POST"])
def time_off_add() -> ResponseReturnValue:
    who = principal()
    if who.role != "staff" or who.resource_id is None:
        raise Forbidden("Time off is entered here by the person themselves.")
    form = TimeOffForm()
    if not form.validate():
        return render_calendar(status=422, time_off_form=form)
    db = get_session()
    resource = catalogue.get_resource(db, who.resource_id)
    require(who, Action.CHANGE, Kind.TIME_OFF, resource_facts(resource))
    assert form.starts_at.data is not None and form.ends_at.data is not None  # validated
    try:
        catalogue.add_time_off(
            db,
            resource,
            _instant(form.starts_at.data),
            _instant(form.ends_at.data),
            form.reason.data or None,
            who.name,
        )
    except Conflict as exc:
        db.rollback()
        clashes = queries.describe_conflicts(db, exc.conflicts)
        return render_calendar(status=409, time_off_form=form, clashes=clashes)
    except Invalid as exc:
        db.rollback()
        words = {"ends_at": _("The end must come after the start.")}
        form.ends_at.errors = [words.get(exc.field, describe(exc))]
        return render_calendar(status=422, time_off_form=form)
    db.commit()
    flash(_("Your time off is saved; nobody can book you then."))
    return redirect(url_for("console.calendar"))
