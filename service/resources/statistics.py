"""Anonymised statistics for reporting: counts by month, office, service and language."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.access.access_policy import Action, Facts, Kind, list_scope, require
from service.plumbing.db import get_session
from service.reporting import statistics
from service.reporting.statistics_csv import statistics_csv
from service.resources.fields import Text
from service.resources.security import current_principal

blp = Blueprint("statistics", __name__, url_prefix="/api/v1/statistics", description="Statistics")

_month: dict[str, Any] = {
    "required": True,
    "validate": validate.Regexp(statistics.MONTH.pattern, error="A month is written YYYY-MM."),
}
_count: dict[str, Any] = {
    "allow_none": True,
    "metadata": {"description": "null: fewer than min_count."},
}


class StatisticsQuerySchema(Schema):
    first = Text(data_key="from", metadata={"description": "First month, YYYY-MM."}, **_month)
    last = Text(data_key="to", metadata={"description": "Last month, YYYY-MM."}, **_month)
    office = Text(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "One office's code; a coordinator's offices by default."},
    )
    format = Text(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` answers text/csv, a masked count written `<5`."},
    )


class StatisticsRowSchema(Schema):
    month = Text(metadata={"description": "YYYY-MM, Europe/Sofia."})
    office = Text(allow_none=True)
    service_type = Text(allow_none=True)
    speciality = Text(allow_none=True)
    language = Text(allow_none=True)
    bookings = fields.Integer(**_count)
    interpretation_hours = fields.Float(**_count)
    present = fields.Integer(**_count)
    absent = fields.Integer(**_count)
    excused = fields.Integer(**_count)
    no_shows = fields.Integer(**_count)
    messages_sent = fields.Integer(**_count)


class StatisticsSchema(Schema):
    first = Text(data_key="from")
    last = Text(data_key="to")
    offices = fields.List(Text(), allow_none=True, metadata={"description": "null: every office."})
    min_count = fields.Integer(metadata={"description": "Counts below it are masked."})
    rows = fields.List(fields.Nested(StatisticsRowSchema))


CSV_DOC = {
    "responses": {
        "200": {
            "description": "The counts, as JSON or (with `format=csv`) as CSV.",
            "content": {
                "application/json": {"schema": StatisticsSchema},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
}


@blp.route("")
class Statistics(MethodView):
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, StatisticsSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Anonymised counts for reports: bookings, interpretation hours, attendance, SMS.

        One row per Europe/Sofia month, office, service type (booking type, counselling
        refined by speciality) and beneficiary language. Counts from 1 to
        `STATISTICS_MIN_COUNT - 1` (default 5) are masked as null, so a small office's
        cells point at nobody. Admins and read-only tokens count every office, coordinators
        their own. `?format=csv` answers the same rows as CSV.
        """
        principal = current_principal()
        session = get_session()
        first = statistics.parse_month("from", query["first"])
        last = statistics.parse_month("to", query["last"])
        scope = list_scope(principal, Kind.STATISTICS)
        offices = statistics.statistics_offices(session, scope, query.get("office"))
        if "office" in query:
            require(principal, Action.READ, Kind.STATISTICS, Facts.of(offices=[query["office"]]))
        result = statistics.compute_statistics(
            session, first, last, offices, current_app.config["STATISTICS_MIN_COUNT"]
        )
        if query["format"] == "csv":
            return Response(statistics_csv(result), mimetype="text/csv")
        return result
