"""The interpreters' month: each interpreter's hours by type and office, for pay and wellbeing."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from service.access.access_policy import Action, Facts, Kind, list_scope, require
from service.console.roles import require_section
from service.console.views_statistics import office_choices
from service.console.web import bp, principal
from service.console.words import describe
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid
from service.reporting import statistics
from service.reporting.interpreter_month import interpreters_month, month_offices
from service.reporting.interpreter_month_csv import interpreters_month_csv


@bp.route("/interpreters/month")
def interpreter_month_page() -> ResponseReturnValue:
    """Show the month asked (by default this one) for the office asked, or send it as CSV."""
    require_section("interpreter_month")
    who, db = principal(), get_session()
    scope = list_scope(who, Kind.INTERPRETER_MONTH)
    month = request.args.get("month") or to_sofia(utcnow()).strftime("%Y-%m")
    office = request.args.get("office") or None
    offered = [] if scope.person is not None else office_choices(scope)
    page: dict[str, Any] = {
        "asked": {"month": month, "office": office},
        "offices": offered,
        "error": None,
    }
    try:
        first = statistics.parse_month("month", month)
        chosen = month_offices(db, scope, office)
        if office is not None and scope.person is None:
            require(who, Action.READ, Kind.INTERPRETER_MONTH, Facts.of(offices=[office]))
        limited = current_app.config["INTERPRETER_LIMITED_TYPES"]
        report = interpreters_month(db, first, chosen, limited, person=scope.person)
    except Invalid as exc:
        page["error"] = (exc.field, describe(exc))
        return render_template("console/interpreter_month.html", **page), 422
    if request.args.get("format") == "csv":
        return Response(
            interpreters_month_csv(report),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="interpreters-{report.month}.csv"'
            },
        )
    return render_template("console/interpreter_month.html", report=report, **page)
