"""Anonymised statistics: the counts of the API's report, a chart by month and language, CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from service.access.access_policy import Action, Facts, Kind, Scope, list_scope, require
from service.console.charts import bookings_chart, month_labels
from service.console.roles import require_section
from service.console.views_series import office_name
from service.console.web import bp, principal
from service.console.words import describe
from service.models import Office
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid
from service.reporting import statistics
from service.reporting.statistics_csv import statistics_csv


def _default_months() -> tuple[str, str]:
    """The twelve Sofia months up to this one."""
    today = to_sofia(utcnow()).date()
    start = date(today.year - 1, today.month, 1)
    start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.strftime("%Y-%m"), today.strftime("%Y-%m")


def office_choices(scope: Scope) -> list[tuple[str, str]]:
    query = select(Office).order_by(Office.code)
    if not scope.everything:
        query = query.where(Office.code.in_(scope.offices))
    return [(office.code, office_name(office)) for office in get_session().scalars(query)]


@bp.route("/statistics")
def statistics_page() -> ResponseReturnValue:
    """Show the counts for the months and office asked, or send them as CSV."""
    require_section("statistics")
    who, db = principal(), get_session()
    scope = list_scope(who, Kind.STATISTICS)
    first_default, last_default = _default_months()
    since = request.args.get("from") or first_default
    until = request.args.get("to") or last_default
    office = request.args.get("office") or None
    asked = {"from": since, "to": until, "office": office}
    page: dict[str, Any] = {"asked": asked, "offices": office_choices(scope), "error": None}
    try:
        first = statistics.parse_month("from", since)
        last = statistics.parse_month("to", until)
        chosen = statistics.statistics_offices(db, scope, office)
        if office is not None:
            require(who, Action.READ, Kind.STATISTICS, Facts.of(offices=[office]))
        min_count = current_app.config["STATISTICS_MIN_COUNT"]
        result = statistics.compute_statistics(db, first, last, chosen, min_count)
        counts = statistics.bookings_by_month_and_language(db, first, last, chosen, min_count)
    except Invalid as exc:
        page["error"] = (exc.field, describe(exc))
        return render_template("console/statistics.html", **page), 422
    if request.args.get("format") == "csv":
        name = f"statistics-{result.first}-{result.last}.csv"
        return Response(
            statistics_csv(result),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    chart = bookings_chart(counts, month_labels(result.first, result.last))
    return render_template("console/statistics.html", result=result, chart=chart, **page)
