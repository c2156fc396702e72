"""Change a series from the console: cancel or move one date, end early, cancel it all.

Each form asks first: its POST shows what the change does and who will be told, writing
nothing (the real operation runs and is rolled back, so every rule is checked); the page's
confirm button posts it again with `confirm`, and then it is done, once per form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from service.console import queries
from service.console.forms import CancelForm, RescheduleForm
from service.console.once import FIELD, once_per_form
from service.console.series_forms import EndSeriesForm, SplitForm
from service.console.views_series import load_series, render_series
from service.console.views_series_roster import render_occurrence
from service.console.web import actor, bp, policy, principal
from service.console.words import describe
from service.models import Booking, Series
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, DomainError
from service.series import series as ops
from service.series import series_audience, series_changes
from service.series.series import LIVE

NOT_REPEATED = frozenset({"csrf_token", "confirm", FIELD})
AUDIENCE_WORDS = {
    "cancellation": _l("an SMS that this date is cancelled"),
    "series_cancellation": _l("one SMS that the classes from that date on are cancelled"),
    "reschedule": _l("an SMS with the new time"),
    "not_announced": _l("not told of this date so far, so no SMS about the change"),
    "no_consent": _l("no consent to SMS: tell them another way"),
    "no_phone": _l("no phone number: tell them another way"),
}


@dataclass
class Change:
    """What the confirmation page shows of a planned change."""

    title: str
    button: str
    cancelled: list[Booking] = field(default_factory=list)
    moved_to: tuple[datetime, datetime] | None = None
    moved: Booking | None = None
    last_day: date | None = None
    new_times: tuple[datetime, datetime] | None = None  # a split: the new first class


def _confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def _ask(
    shown: Series, change: Change, audience: series_audience.Audience, trial: Callable[[], Any]
) -> ResponseReturnValue | DomainError:
    """Run the change and roll it back: a domain refusal, or the page that asks to confirm."""
    db = get_session()
    try:
        trial()
    except DomainError as exc:
        db.rollback()
        return exc
    db.rollback()
    repeated = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_REPEATED]
    return render_template(
        "console/series_change.html",
        series=shown,
        change=change,
        audience=audience,
        repeated=repeated,
        action=request.path,
        words=AUDIENCE_WORDS,
    )


def _done(shown: Series, message: str) -> ResponseReturnValue:
    get_session().commit()
    flash(message)
    return redirect(url_for("console.series_page", series_id=shown.id))


def _coming(session: Session, shown: Series, after: Callable[[Booking], bool]) -> list[Booking]:
    now = utcnow()
    return [
        b
        for b in ops.list_occurrences(session, shown)
        if b.status in LIVE and b.starts_at > now and after(b)
    ]


@bp.route("/series/<int:series_id>/occurrences/<int:occurrence_id>/cancel", methods=["POST"])
@once_per_form
def series_cancel_date(series_id: int, occurrence_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    db = get_session()
    booking = ops.get_occurrence(db, shown, occurrence_id)
    form = CancelForm()
    if not form.validate():
        return render_occurrence(shown, booking, 422, cancel=form)
    reason = form.reason.data or ""

    def run() -> Any:
        return series_changes.cancel_occurrence(db, shown, booking, actor(), reason)

    if not _confirmed():
        change = Change(
            _("Cancel the date of %(day)s?", day=_day(booking)),
            _("Yes, cancel this date"),
            cancelled=[booking],
        )
        audience = series_audience.if_cancelled(db, [booking])
        asked = _ask(shown, change, audience, run)
        if not isinstance(asked, DomainError):
            return asked
        return render_occurrence(
            shown, booking, asked.status, cancel=form, cancel_error=describe(asked)
        )
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return render_occurrence(
            shown, booking, exc.status, cancel=form, cancel_error=describe(exc)
        )
    return _done(shown, _("The date of %(day)s is cancelled.", day=_day(booking)))


def _day(booking: Booking) -> str:
    return str(format_datetime(booking.starts_at, "EEEE d MMMM, HH:mm"))


@bp.route("/series/<int:series_id>/occurrences/<int:occurrence_id>/move", methods=["POST"])
@once_per_form
def series_move_date(series_id: int, occurrence_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    db = get_session()
    booking = ops.get_occurrence(db, shown, occurrence_id)
    form = RescheduleForm()
    day, starts, ends = form.day.data, form.starts.data, form.ends.data
    if not (form.validate() and day and starts and ends):
        return render_occurrence(shown, booking, 422, move=form)
    starts_at, ends_at = sofia_instant(day, starts), sofia_instant(day, ends)
    was = _day(booking)

    def run() -> Any:
        return series_changes.move_occurrence(
            db,
            shown,
            booking,
            starts_at=starts_at,
            ends_at=ends_at,
            resource_ids=None,
            version=form.version.data,
            actor=actor(),
            policy=policy(),
        )

    def refused(exc: DomainError) -> ResponseReturnValue:
        clashes = queries.describe_conflicts(db, exc.conflicts) if isinstance(exc, Conflict) else []
        return render_occurrence(
            shown, booking, exc.status, move=form, move_error=describe(exc), clashes=clashes
        )

    if not _confirmed():
        change = Change(
            _("Move the date of %(day)s?", day=was),
            _("Yes, move this date"),
            moved=booking,
            moved_to=(starts_at, ends_at),
        )
        audience = series_audience.if_moved(db, booking, starts_at)
        asked = _ask(shown, change, audience, run)
        return refused(asked) if isinstance(asked, DomainError) else asked
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return refused(exc)
    return _done(shown, _("The date of %(day)s is moved.", day=was))


@bp.route("/series/<int:series_id>/end", methods=["POST"])
@once_per_form
def series_end(series_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    db = get_session()
    form = EndSeriesForm()
    if not form.validate():
        return render_series(shown, 422, end=form)
    last_day: date = form.last_day.data

    def run() -> Any:
        return series_changes.end_series(db, shown, last_day, actor())

    if not _confirmed():
        later = _coming(
            db, shown, lambda b: to_sofia(b.recurrence_start or b.starts_at).date() > last_day
        )
        change = Change(
            _("End the series early?"), _("Yes, end the series"), cancelled=later, last_day=last_day
        )
        asked = _ask(shown, change, series_audience.if_cancelled(db, later), run)
        if not isinstance(asked, DomainError):
            return asked
        return render_series(shown, asked.status, end=form, end_error=describe(asked))
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return render_series(shown, exc.status, end=form, end_error=describe(exc))
    return _done(shown, _("The series ends early; the later dates are cancelled."))


@bp.route("/series/<int:series_id>/cancel", methods=["POST"])
@once_per_form
def series_cancel(series_id: int) -> ResponseReturnValue:
    shown = load_series(principal(), series_id, write=True)
    db = get_session()
    form = CancelForm()
    if not form.validate():
        return render_series(shown, 422, cancel=form)
    reason = form.reason.data or ""

    def run() -> Any:
        return series_changes.cancel_series(db, shown, actor(), reason)

    if not _confirmed():
        coming = _coming(db, shown, lambda b: True)
        change = Change(
            _("Cancel the whole series?"), _("Yes, cancel the series"), cancelled=coming
        )
        asked = _ask(shown, change, series_audience.if_cancelled(db, coming), run)
        if not isinstance(asked, DomainError):
            return asked
        return render_series(shown, asked.status, cancel=form, cancel_error=describe(asked))
    try:
        run()
    except DomainError as exc:
        db.rollback()
        return render_series(shown, exc.status, cancel=form, cancel_error=describe(exc))
    return _done(shown, _("The series is cancelled; the dates to come are cancelled."))


@bp.route("/series/<int:series_id>/occurrences/<int:occurrence_id>/split", methods=["POST"])
@once_per_form
def series_split(series_id: int, occurrence_id: int) -> ResponseReturnValue:
    """Give a date and every one after it new times: the rest continues as a new series."""
    shown = load_series(principal(), series_id, write=True)
    db = get_session()
    booking = ops.get_occurrence(db, shown, occurrence_id)
    form = SplitForm()
    starts, ends = form.starts.data, form.ends.data
    if not (form.validate() and starts and ends):
        return render_occurrence(shown, booking, 422, split=form)
    day = to_sofia(booking.recurrence_start or booking.starts_at).date()
    starts_at, ends_at = sofia_instant(day, starts), sofia_instant(day, ends)
    changes = series_changes.SplitChanges(starts_at=starts_at, ends_at=ends_at)
    origin = booking.recurrence_start or booking.starts_at

    def run() -> Series:
        return series_changes.split_series(db, shown, booking, changes, actor(), policy())

    def refused(exc: DomainError) -> ResponseReturnValue:
        clashes = queries.describe_conflicts(db, exc.conflicts) if isinstance(exc, Conflict) else []
        return render_occurrence(
            shown, booking, exc.status, split=form, split_error=describe(exc), clashes=clashes
        )

    if not _confirmed():
        following = _coming(db, shown, lambda b: (b.recurrence_start or b.starts_at) >= origin)
        change = Change(
            _("Change the times from %(day)s on?", day=_day(booking)),
            _("Yes, change the times"),
            new_times=(starts_at, ends_at),
            cancelled=following,
        )
        audience = series_audience.if_split(db, following, starts_at)
        asked = _ask(shown, change, audience, run)
        return refused(asked) if isinstance(asked, DomainError) else asked
    try:
        successor = run()
    except DomainError as exc:
        db.rollback()
        return refused(exc)
    db.commit()
    flash(_("From %(day)s on, the series meets at the new times.", day=_day(booking)))
    return redirect(url_for("console.series_page", series_id=successor.id))
