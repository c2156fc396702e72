"""The office board: a week, or one day."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from service.clock import to_sofia, utcnow
from service.console.board import day_board, visible_offices, week_board
from service.console.web import bp, principal
from service.db import get_session
from service.errors import NotFound
from service.text_input import FIRST_YEAR, LAST_YEAR


def parse_day(value: str | None) -> date:
    if not value:
        return to_sofia(utcnow()).date()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, "A day is written YYYY-MM-DD.")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        abort(400, f"Days fall between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


@bp.route("/board")
def board() -> ResponseReturnValue:
    """The week board, or with `?day=` one day of the office."""
    who = principal()
    db = get_session()
    offices = visible_offices(db, who, full=True)
    if not offices:
        raise NotFound("There is no office for you to see yet.")
    code = request.args.get("office") or offices[0].code
    if request.args.get("day"):
        day = parse_day(request.args.get("day"))
        shown = day_board(db, who, offices, code, day)
        step = timedelta(days=1)
    else:
        day = parse_day(request.args.get("week"))
        shown = week_board(db, who, offices, code, day)
        step = timedelta(days=7)
    first = shown.days[0].day if shown.single else shown.monday
    return render_template(
        "console/board.html",
        board=shown,
        offices=offices,
        shown_day=day,
        previous=first - step,
        next=first + step,
    )
