"""My calendar: a secret feed link shown once (with webcal:// and a QR code), rotate, revoke."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import SelectChoice

from service import feeds
from service.access.auth import Principal
from service.console import people_queries
from service.console.board import visible_offices
from service.console.forms_people import FeedActionForm, FeedForm, TimeOffForm
from service.console.web import bp, principal
from service.models import Feed, Office
from service.plumbing.db import get_session

PRIVACY_OF_ROLE = {"admin": "full", "coordinator": "full", "read_only": "busy"}


@dataclass(frozen=True)
class NewLink:
    """A feed's secret URL, shown in the one answer that creates or rotates it."""

    feed: Feed
    url: str
    webcal_url: str
    qr_svg: Markup


def _offices(who: Principal) -> list[Office]:
    return [] if who.role == "staff" else visible_offices(get_session(), who)


def _feed_form(who: Principal, mine: list[Feed]) -> FeedForm:
    form = FeedForm()
    english = str(get_locale()) == "en"
    taken = {f.office_id for f in mine}
    form.office.choices = [
        SelectChoice(o.code, o.name_en if english else o.name_bg)
        for o in _offices(who)
        if o.id not in taken
    ]
    return form


def _may_add(who: Principal, mine: list[Feed], form: FeedForm) -> bool:
    if who.role == "staff":
        return who.resource_id is not None and not mine
    return bool(form.office.choices)


def _new_link(feed: Feed, token: str) -> NewLink:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    url, webcal_url = feeds.subscription_urls(base, token)
    svg = segno.make(webcal_url, error="m").svg_inline(
        scale=5,
        border=2,
        title=_("QR code of the calendar link, to scan with a phone"),
        svgclass="qr-code",
    )
    return NewLink(feed, url, webcal_url, Markup(svg))  # noqa: S704 (segno's own SVG)


def render_calendar(
    *, new_link: NewLink | None = None, status: int = 200, **extra: object
) -> ResponseReturnValue:
    who = principal()
    db = get_session()
    mine = feeds.own_feeds(db, who)
    form = _feed_form(who, mine)
    time_off = people_queries.upcoming_time_off(db, who.resource_id) if who.resource_id else []
    context = {
        "feeds": mine,
        "feed_form": form,
        "may_add": _may_add(who, mine, form),
        "action_form": FeedActionForm(formdata=None),
        "new_link": new_link,
        "time_off": time_off,
        "time_off_form": extra.pop("time_off_form", None) or TimeOffForm(formdata=None),
        **extra,
    }
    return render_template("console/calendar.html", **context), status


@bp.route("/calendar")
def calendar() -> ResponseReturnValue:
    return render_calendar()


def _request_for(who: Principal, form: FeedForm) -> feeds.FeedRequest:
    locale = str(get_locale())
    if who.role == "staff":
        return feeds.FeedRequest(
            scope="resource", privacy="limited", resource_id=who.resource_id, locale=locale
        )
    return feeds.FeedRequest(
        scope="office",
        privacy=PRIVACY_OF_ROLE.get(who.role, "busy"),
        office=form.office.data or "",
        locale=locale,
    )


@bp.route("/calendar/feeds", methods=["POST"])
def calendar_create() -> ResponseReturnValue:
    who = principal()
    db = get_session()
    mine = feeds.own_feeds(db, who)
    form = _feed_form(who, mine)
    if not _may_add(who, mine, form) or not form.validate():
        return render_calendar(status=422, feed_error=_("You have this calendar link already."))
    feed, token = feeds.create_feed(db, who, _request_for(who, form))
    db.commit()
    return render_calendar(new_link=_new_link(feed, token))


@bp.route("/calendar/feeds/<int:feed_id>/rotate", methods=["POST"])
def calendar_rotate(feed_id: int) -> ResponseReturnValue:
    FeedActionForm()  # the CSRF token was checked before the view
    db = get_session()
    feed, token = feeds.rotate_feed(db, principal(), feed_id)
    db.commit()
    return render_calendar(new_link=_new_link(feed, token))


@bp.route("/calendar/feeds/<int:feed_id>/revoke", methods=["POST"])
def calendar_revoke(feed_id: int) -> ResponseReturnValue:
    FeedActionForm()
    db = get_session()
    feeds.revoke_feed(db, principal(), feed_id)
    db.commit()
    flash(_("The calendar link is revoked: calendar apps using it stop updating."))
    return redirect(url_for("console.calendar"))
