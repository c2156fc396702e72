"""The office board: a week, or one day."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from service.console.board import (
    day_board,
    default_office,
    default_week,
    visible_offices,
    week_board,
)
from service.console.web import bp, principal
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import NotFound
from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR


def today() -> date:
    return to_sofia(utcnow()).date()


def parse_day(value: str | None) -> date:
    if not value:
        return today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, "A day is written YYYY-MM-DD.")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        abort(400, f"Days fall between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


@bp.route("/board")
def board() -> ResponseReturnValue:
    """The week board, or with `?day=` one day of the office; by default one's own office and
    the coming week."""
    who = principal()
    db = get_session()
    offices = visible_offices(db, who, full=True)
    if not offices:
        raise NotFound("There is no office for you to see yet.")
    code = request.args.get("office") or default_office(who, offices).code
    if request.args.get("day"):
        day = parse_day(request.args.get("day"))
        shown = day_board(db, who, offices, code, day)
        step = timedelta(days=1)
    else:
        week = request.args.get("week")
        day = parse_day(week) if week else default_week(today())
        shown = week_board(db, who, offices, code, day)
        step = timedelta(days=7)
    first = shown.days[0].day if shown.single else shown.monday
    return render_template(
        "console/board.html",
        board=shown,
        offices=offices,
        shown_day=day,
        today=today(),
        previous=first - step,
        next=first + step,
    )
