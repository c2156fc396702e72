"""Offices: the three offices with hours, and their closure days (holidays and custom)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service.access.access_policy import Action, Facts, Kind, require
from service.booking.calendar_rules import closed_days
from service.directory import offices
from service.models import Office
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid
from service.resources.schemas import (
    ClosedDaySchema,
    ClosureCreateSchema,
    ClosureQuerySchema,
    OfficeSchema,
)
from service.resources.security import current_principal

blp = Blueprint("offices", __name__, url_prefix="/api/v1/offices", description="Offices")

MAX_RANGE = timedelta(days=366)


def _may_manage(code: str) -> None:
    require(current_principal(), Action.CHANGE, Kind.OFFICE, Facts.of(offices=[code]))


@blp.route("")
class Offices(MethodView):
    @blp.response(200, OfficeSchema(many=True))
    def get(self) -> Any:
        """List the offices with their opening hours and custom closures."""
        require(current_principal(), Action.LIST, Kind.OFFICE)
        return get_session().scalars(
            select(Office)
            .options(selectinload(Office.opening_hours), selectinload(Office.closures))
            .order_by(Office.id)
        )


@blp.route("/<code>/closed-days")
class ClosedDays(MethodView):
    @blp.arguments(ClosureQuerySchema, location="query")
    @blp.response(200, ClosedDaySchema(many=True))
    def get(self, args: dict[str, date], code: str) -> Any:
        """List the days the office is closed: Bulgarian public holidays and custom closures."""
        require(current_principal(), Action.READ, Kind.OFFICE)
        if args["end"] < args["start"]:
            raise Invalid("end", "The end comes on or after the start.")
        if args["end"] - args["start"] > MAX_RANGE:
            raise Invalid("end", "Ask for at most a year at a time.")
        office = offices.find_office(get_session(), code)
        return [
            {"day": day, "reason": reason}
            for day, reason in closed_days(office, args["start"], args["end"])
        ]

    @blp.arguments(ClosureCreateSchema)
    @blp.response(201, ClosedDaySchema)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Close the office for a day besides the public holidays."""
        _may_manage(code)
        session = get_session()
        closure = offices.add_closure(
            session, offices.find_office(session, code), data["day"], data["reason"]
        )
        session.commit()
        return {"day": closure.day, "reason": f"closure: {closure.reason}"}


@blp.route("/<code>/closed-days/<isodate:day>")
class ClosedDay(MethodView):
    @blp.response(204)
    def delete(self, code: str, day: date) -> None:
        """Reopen the office on a custom closure day."""
        _may_manage(code)
        session = get_session()
        offices.remove_closure(session, offices.find_office(session, code), day)
        session.commit()
