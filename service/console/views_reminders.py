"""Reminders needing attention (failed, undelivered, in review) and beneficiaries' replies."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from service.access.access_policy import Action, Kind, allows, list_scope
from service.console import notices
from service.console.web import bp, page_number, principal
from service.notify.notifications import list_needing_attention, list_replies
from service.plumbing.db import get_session

PAGE_SIZE = 25


@bp.route("/reminders")
def reminders() -> ResponseReturnValue:
    who = principal()
    scope = list_scope(who, Kind.NOTIFICATION)
    db = get_session()
    page = list_needing_attention(db, scope, page=page_number(), size=PAGE_SIZE)
    may_act = allows(who, Action.CHANGE, Kind.NOTIFICATION)
    replies = []
    if allows(who, Action.LIST, Kind.REPLY):
        replies = notices.replies(db, list_replies(db, list_scope(who, Kind.REPLY)))
    return render_template(
        "console/reminders.html",
        page=page,
        rows=notices.notices(db, page.messages),
        replies=replies,
        may_act=may_act,
    )
