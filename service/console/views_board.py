"""The office week board."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from service.clock import to_sofia, utcnow
from service.console.board import visible_offices, week_board
from service.console.web import bp, principal
from service.db import get_session
from service.errors import NotFound


def parse_day(value: str | None) -> date:
    if not value:
        return to_sofia(utcnow()).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.route("/board")
def board() -> ResponseReturnValue:
    who = principal()
    db = get_session()
    offices = visible_offices(db, who, full=True)
    if not offices:
        raise NotFound("There is no office for you to see yet.")
    code = request.args.get("office") or offices[0].code
    shown = week_board(db, who, offices, code, parse_day(request.args.get("week")))
    return render_template(
        "console/board.html",
        board=shown,
        offices=offices,
        previous_week=shown.monday - timedelta(days=7),
        next_week=shown.monday + timedelta(days=7),
    )
