"""The series planner: the list, plan with a dry-run calendar, commit, and a series' page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from service.access import access_loaders
from service.access.access_facts import booking_request_facts, series_facts
from service.access.access_policy import Action, Kind, allows, require
from service.access.auth import Principal
from service.console import series_queries as queries
from service.console.board import visible_offices
from service.console.forms import CancelForm
from service.console.once import once_per_form
from service.console.rule_words import rule_in_words
from service.console.series_forms import (
    NONE,
    WEEKDAY_NAMES,
    WEEKDAYS,
    EndSeriesForm,
    EnrolForm,
    PlanForm,
    form_field,
    series_request,
)
from service.console.views_bookings import may_override_language
from service.console.web import actor, bp, policy, principal
from service.console.words import breach_words, closed_words, describe
from service.interpreters.interpreter_rules import InterpreterRuleBroken
from service.models import Office, Series
from service.models.series import OPEN_STATUSES
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, Invalid
from service.series import series as ops
from service.series.recurrence import wall_time


def office_name(office: Office) -> str:
    return office.name_en if str(get_locale()) == "en" else office.name_bg


@bp.app_template_filter("weekday_name")
def weekday_name(code: str) -> str:
    """The name of an RRULE weekday code (MO … SU) in the page's language."""
    return str(WEEKDAY_NAMES[WEEKDAYS.index(code)]) if code in WEEKDAYS else code


@bp.route("/series")
def series_list() -> ResponseReturnValue:
    who = principal()
    db = get_session()
    offices = visible_offices(db, who)
    code = request.args.get("office") or None
    if code is not None and code not in {o.code for o in offices}:
        code = None
    rows = queries.series_rows(db, who, code)
    return render_template(
        "console/series_list.html", rows=rows, offices=offices, office=code, office_name=office_name
    )


def _plan_form(who: Principal) -> PlanForm:
    db = get_session()
    form = PlanForm()
    offices = visible_offices(db, who)
    form.office.choices = [SelectChoice(o.code, office_name(o)) for o in offices]
    only = who.resource_id if who.role == "staff" else None
    people = [
        SelectChoice(p.id, f"{p.name} ({', '.join(p.office_codes)})")
        for p in queries.people_at(db, offices, only)
    ]
    form.lead.choices = people
    form.second.choices = [SelectChoice(NONE, _("Nobody else")), *people]
    form.room.choices = [SelectChoice(NONE, _("No room"))] + [
        SelectChoice(r.id, f"{r.name} ({r.room_office.code if r.room_office else '?'})")
        for r in queries.rooms_at(db, offices)
    ]
    if request.method == "GET":
        first = to_sofia(utcnow()).date() + timedelta(days=7)
        form.first_day.data = first - timedelta(days=first.weekday())
        form.weekdays.data = [WEEKDAYS[form.first_day.data.weekday()]]
    return form


def _render_plan(form: PlanForm, status: int = 200, **extra: Any) -> ResponseReturnValue:
    partial = bool(request.headers.get("HX-Request"))
    context = {
        "form": form,
        "partial": partial,
        "months": [],
        "plan": None,
        "closed_words": closed_words,
        **extra,
    }
    template = "console/_series_plan.html" if partial else "console/series_plan.html"
    return render_template(template, **context), status


def _domain_error(form: PlanForm, exc: Invalid) -> ResponseReturnValue:
    get_session().rollback()
    return _render_plan(form, 422, domain_error=(form_field(form, exc.field), describe(exc)))


def _render_dry_run(
    form: PlanForm, plan: ops.Plan, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    """Show the dry run as a calendar, leaving nothing it read or wrote in the session."""
    db = get_session()
    months = queries.plan_grid(db, plan)
    db.rollback()
    limits = [
        (to_sofia(o.starts_at).date(), breach_words(breach))
        for o in plan.occurrences
        for breach in o.limits
    ]
    return _render_plan(
        form,
        status,
        plan=plan,
        months=months,
        limit_notes=limits,
        may_override=may_override_language(principal()),
        **extra,
    )


def _request_of(who: Principal, form: PlanForm) -> ops.SeriesRequest:
    """The request the form asks for, once the user may plan with these office and people."""
    plan_request = series_request(form, may_override_language(who))
    db = get_session()
    facts = booking_request_facts(db, plan_request.office, plan_request.resource_ids, 0)
    require(who, Action.CHANGE, Kind.SERIES, facts)
    return plan_request


@bp.route("/series/new")
def series_new() -> ResponseReturnValue:
    who = principal()
    require(who, Action.CHANGE, Kind.SERIES)
    return _render_plan(_plan_form(who))


@bp.route("/series/preview", methods=["POST"])
def series_preview() -> ResponseReturnValue:
    """Run the dry run and show it as a calendar; writes nothing."""
    who = principal()
    require(who, Action.CHANGE, Kind.SERIES)
    form = _plan_form(who)
    if not form.validate():
        return _render_plan(form, 422)
    db = get_session()
    try:
        plan = ops.plan_series(db, _request_of(who, form), policy())
    except Invalid as exc:
        return _domain_error(form, exc)
    return _render_dry_run(form, plan)


@bp.route("/series/new", methods=["POST"])
@once_per_form
def series_commit() -> ResponseReturnValue:
    """Create the series, checking every rule again (the preview is never trusted)."""
    who = principal()
    require(who, Action.CHANGE, Kind.SERIES)
    form = _plan_form(who)
    if not form.validate():
        return _render_plan(form, 422)
    db = get_session()
    try:
        plan_request = _request_of(who, form)
        created, done = ops.create_series(
            db, plan_request, actor(), policy(), skip_clashes=bool(form.skip_clashes.data)
        )
    except InterpreterRuleBroken as exc:
        db.rollback()
        plan = ops.plan_series(db, plan_request, policy())
        return _render_dry_run(form, plan, 422, refused=describe(exc))
    except Invalid as exc:
        return _domain_error(form, exc)
    except Conflict as exc:
        db.rollback()
        plan = ops.plan_series(db, plan_request, policy())
        return _render_dry_run(form, plan, 409, refused=describe(exc))
    db.commit()
    booked = sum(1 for o in done.occurrences if not o.clashes)
    flash(
        _(
            "Series created: %(booked)d dates booked, %(skipped)d skipped.",
            booked=booked,
            skipped=len(done.occurrences) - booked + len(done.skipped),
        )
    )
    return redirect(url_for("console.series_page", series_id=created.id))


def load_series(who: Principal, series_id: int, *, write: bool) -> Series:
    """Load a series the user may see (or change), by the access policy."""
    action = Action.CHANGE if write else Action.READ
    return access_loaders.load_series(get_session(), who, series_id, action)


def render_series(
    shown: Series,
    status: int = 200,
    enrol: EnrolForm | None = None,
    *,
    end: EndSeriesForm | None = None,
    cancel: CancelForm | None = None,
    **extra: Any,
) -> ResponseReturnValue:
    """A series' page, with the forms its viewer may use (those given keep their input)."""
    db = get_session()
    page = queries.series_page(db, shown)
    may_change = allows(principal(), Action.CHANGE, Kind.SERIES, series_facts(db, shown))
    return render_template(
        "console/series.html",
        page=page,
        rule_words=rule_in_words(shown.rrule, wall_time(shown.starts_at), str(get_locale())),
        may_change=may_change and shown.status in OPEN_STATUSES,
        enrol=enrol or EnrolForm(formdata=None),
        end=end or EndSeriesForm(formdata=None),
        cancel=cancel or CancelForm(formdata=None),
        office_name=office_name,
        **extra,
    ), status


@bp.route("/series/<int:series_id>")
def series_page(series_id: int) -> ResponseReturnValue:
    return render_series(load_series(principal(), series_id, write=False))
