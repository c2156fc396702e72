"""The interpreters' month: hours and sessions per interpreter, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.access.access_policy import Action, Facts, Kind, list_scope, require
from service.plumbing.db import get_session
from service.reporting import statistics
from service.reporting.interpreter_month import interpreters_month, month_offices
from service.reporting.interpreter_month_csv import interpreters_month_csv
from service.resources.fields import Text
from service.resources.security import current_principal

blp = Blueprint(
    "interpreter_month",
    __name__,
    url_prefix="/api/v1/interpreters/month",
    description="Interpreters' month",
)


class MonthQuerySchema(Schema):
    month = Text(
        required=True,
        validate=validate.Regexp(statistics.MONTH.pattern, error="A month is written YYYY-MM."),
        metadata={"description": "The Europe/Sofia month, YYYY-MM."},
    )
    office = Text(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "The interpreters of one office; by default all one may see."},
    )
    format = Text(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` answers text/csv (as does `Accept: text/csv`)."},
    )


class TallySchema(Schema):
    sessions = fields.Integer(metadata={"description": "Sessions starting in the month."})
    no_shows = fields.Integer()
    hours = fields.Float(metadata={"description": "Hours held inside the month."})


class TypeTallySchema(TallySchema):
    type = Text(attribute="key")


class OfficeTallySchema(TallySchema):
    office = Text(attribute="key", allow_none=True)


class InterpreterMonthSchema(Schema):
    resource_id = fields.Integer()
    name = Text()
    offices = fields.List(Text(), metadata={"description": "Where the interpreter works."})
    sessions = fields.Integer()
    no_shows = fields.Integer()
    hours = fields.Float()
    limited_types = fields.List(Text(), metadata={"description": "What their limits count."})
    limited_sessions = fields.Integer()
    limited_hours = fields.Float()
    other_hours = fields.Float()
    limited_share = fields.Float(
        allow_none=True,
        metadata={"description": "Part (0 to 1) of the report's limited hours; null: none."},
    )
    by_type = fields.List(fields.Nested(TypeTallySchema))
    by_office = fields.List(fields.Nested(OfficeTallySchema))


class InterpretersMonthSchema(Schema):
    month = Text()
    offices = fields.List(Text(), allow_none=True, metadata={"description": "null: every office."})
    limited_hours = fields.Float()
    interpreters = fields.List(fields.Nested(InterpreterMonthSchema))


CSV_DOC = {
    "responses": {
        "200": {
            "description": "The month, as JSON or (with `format=csv`) as CSV.",
            "content": {
                "application/json": {"schema": InterpretersMonthSchema},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
}


def _wants_csv(query: dict[str, Any]) -> bool:
    if "format" in query:
        return bool(query["format"] == "csv")
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@blp.route("")
class InterpretersMonth(MethodView):
    @blp.arguments(MonthQuerySchema, location="query")
    @blp.response(200, InterpretersMonthSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query: dict[str, Any]) -> Any:
        """Hours and sessions of each interpreter in a month, by booking type and office.

        For payment and wellbeing: bookings not cancelled (no-shows count: the interpreter
        came), hours clipped to the Europe/Sofia month, limited ("trauma") types apart with
        each interpreter's share of them. No beneficiary appears. Admins see every
        interpreter, coordinators those working at their offices (their whole month), staff
        their own month when they are an interpreter.
        """
        principal = current_principal()
        session = get_session()
        month = statistics.parse_month("month", query["month"])
        scope = list_scope(principal, Kind.INTERPRETER_MONTH)
        office = query.get("office")
        offices = month_offices(session, scope, office)
        if office is not None and scope.person is None:
            require(principal, Action.READ, Kind.INTERPRETER_MONTH, Facts.of(offices=[office]))
        limited = current_app.config["INTERPRETER_LIMITED_TYPES"]
        report = interpreters_month(session, month, offices, limited, person=scope.person)
        if _wants_csv(query):
            name = f"interpreters-{report.month}.csv"
            return Response(
                interpreters_month_csv(report),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return report
