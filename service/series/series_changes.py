"""Changing a series: cancel or move one occurrence, end early, cancel whole, split, edit.

Nothing already held is rewritten: an occurrence that has started is never cancelled or moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import feeds
from service.booking.audit import record_change
from service.booking.bookings import Actor, change_status, reschedule_booking
from service.booking.policy import BookingPolicy
from service.booking.time_rules import check_not_past, check_year_range
from service.directory.languages import check_language
from service.interpreters.interpreter_rules import InterpreterOverride
from service.models import Booking, Series
from service.models.series import OPEN_STATUSES
from service.notify import outbox_series
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.errors import Invalid, InvalidTransition
from service.series.enrolment import (
    carry_over,
    check_new_resources,
    enrolled_needs,
    promote_waitlist,
)
from service.series.recurrence import join_rule, remaining_count, split_rule, utc_until, wall_time
from service.series.series import (
    LIVE,
    SeriesRequest,
    create_series,
    list_occurrences,
    reminder_hours,
)


def _not_started(booking: Booking, now: datetime, what: str) -> None:
    if booking.starts_at <= now:
        raise InvalidTransition(f"An occurrence that has already started cannot be {what}.").coded(
            "class_started"
        )


def cancel_occurrence(
    session: Session,
    series: Series,
    booking: Booking,
    actor: Actor,
    reason: str,
    now: datetime | None = None,
) -> Booking:
    """Cancel one occurrence that has not started; the rest of the series is untouched."""
    _not_started(booking, now or utcnow(), "cancelled")
    cancelled = change_status(session, booking, "cancel", actor, reason=reason)
    feeds.refresh_series(session, series)
    return cancelled


def move_occurrence(
    session: Session,
    series: Series,
    booking: Booking,
    *,
    starts_at: datetime,
    ends_at: datetime,
    resource_ids: Sequence[int] | None,
    version: int | None,
    actor: Actor,
    policy: BookingPolicy,
    now: datetime | None = None,
    interpreter_override: InterpreterOverride | None = None,
) -> Booking:
    """Move one occurrence in time, room or teacher; it keeps its place in the rule.

    Its interpreters must meet the needs of those enrolled and their hour limits at the new
    time, unless `interpreter_override` (else the occurrence keeps the override it has).
    """
    moment = now or utcnow()
    check_year_range(starts_at=starts_at, ends_at=ends_at)
    _not_started(booking, moment, "moved")
    if resource_ids is not None:
        check_new_resources(session, series, resource_ids)
    moved = reschedule_booking(
        session,
        booking,
        version=booking.version if version is None else version,
        starts_at=starts_at,
        ends_at=ends_at,
        resource_ids=resource_ids,
        actor=actor,
        policy=policy,
        now=moment,
        interpreter_override=interpreter_override,
        needs=enrolled_needs(session, series),
    )
    feeds.refresh_series(session, series)
    return moved


def _cancel_classes(
    session: Session, classes: Sequence[Booking], actor: Actor, reason: str
) -> outbox_series.Announced:
    """Cancel these occurrences, dropping their reminders; return who knew of which.

    Nobody is told here: the caller tells each beneficiary once for all of them.
    """
    announced = outbox_series.announced_classes(session, classes)
    for booking in classes:
        change_status(session, booking, "cancel", actor, reason=reason, tell_attendees=False)
    return announced


def _cancel_from(
    session: Session,
    series: Series,
    since: datetime,
    actor: Actor,
    reason: str,
    now: datetime,
) -> outbox_series.Announced:
    """Cancel the live occurrences whose rule start is at or after `since`.

    Return who knew of which of them, to be told once.
    """
    classes = []
    for booking in list_occurrences(session, series):
        origin = booking.recurrence_start or booking.starts_at
        if origin < since or booking.status not in LIVE:
            continue
        if booking.starts_at <= now:
            raise InvalidTransition(
                f"Occurrence {booking.id} has already started; past occurrences are kept."
            ).coded("class_started_on", day=to_sofia(booking.starts_at).date())
        classes.append(booking)
    return _cancel_classes(session, classes, actor, reason)


def _require_open(series: Series) -> None:
    if series.status not in OPEN_STATUSES:
        raise InvalidTransition(f"The series is {series.status}.").coded("series_closed")


def cancel_series(
    session: Session, series: Series, actor: Actor, reason: str, now: datetime | None = None
) -> Series:
    """Cancel every occurrence still to come; those already held stay as they were."""
    _require_open(series)
    moment = now or utcnow()
    before = series.image()
    classes = [
        booking
        for booking in list_occurrences(session, series, start=moment)
        if booking.status in LIVE and booking.starts_at > moment
    ]
    announced = _cancel_classes(session, classes, actor, reason)
    outbox_series.on_classes_cancelled(session, announced, moment)
    series.status = "cancelled"
    series.updated_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="cancel",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image() | {"reason": reason},
    )
    feeds.refresh_series(session, series)
    return series


def _truncated_rule(series: Series, before: datetime) -> str:
    """Return the series' rule ending just before the instant `before` (UNTIL in UTC)."""
    parts = split_rule(series.rrule)
    parts.pop("COUNT", None)
    parts["UNTIL"] = utc_until(before - timedelta(seconds=1))
    return join_rule(parts)


def end_series(
    session: Session,
    series: Series,
    last_day: date,
    actor: Actor,
    now: datetime | None = None,
) -> Series:
    """End a series after `last_day`: later occurrences are cancelled, the rule gets an UNTIL."""
    _require_open(series)
    moment = now or utcnow()
    occurrences = list_occurrences(session, series)
    later = [
        b for b in occurrences if to_sofia(b.recurrence_start or b.starts_at).date() > last_day
    ]
    if not [b for b in later if b.status in LIVE]:
        raise Invalid("last_day", "The series has no occurrence after that day to end.").coded(
            "end_nothing_after"
        )
    if last_day < to_sofia(series.starts_at).date():
        raise Invalid(
            "last_day", "The series would end before it starts; cancel it instead."
        ).coded("end_before_series")
    if any(b.starts_at <= moment and b.status in LIVE for b in later):
        raise Invalid("last_day", "Occurrences after that day have already been held.").coded(
            "end_after_held"
        )
    cut = sofia_instant(last_day + timedelta(days=1), time(0))
    before = series.image()
    announced = _cancel_from(session, series, cut, actor, "The series ended early.", moment)
    outbox_series.on_classes_cancelled(session, announced, moment)
    series.rrule = _truncated_rule(series, cut)
    series.status = "ended"
    series.updated_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="end",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image(),
    )
    feeds.refresh_series(session, series)
    return series


@dataclass(frozen=True)
class SplitChanges:
    """What changes from an occurrence on; anything left None is carried over."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rrule: str | None = None
    resource_ids: Sequence[int] | None = None
    title: str | None = None
    capacity: int | None = None
    public: bool | None = None
    languages: Sequence[str] | None = None
    interpreter_override: bool = False
    interpreter_override_reason: str | None = None


def split_series(
    session: Session,
    series: Series,
    booking: Booking,
    changes: SplitChanges,
    actor: Actor,
    policy: BookingPolicy,
    *,
    skip_clashes: bool = False,
    now: datetime | None = None,
) -> Series:
    """Change "this and all following": end the series before `booking`, continue in a new one.

    The new series keeps the rest of the rule (COUNT shrinks to what is left) unless `changes`
    gives another; enrolments move over in their order. Occurrences already held stay put.
    """
    _require_open(series)
    moment = now or utcnow()
    since = booking.recurrence_start or booking.starts_at
    _not_started(booking, moment, "split off")
    check_year_range(starts_at=changes.starts_at, ends_at=changes.ends_at)
    if (changes.starts_at is None) != (changes.ends_at is None):
        raise Invalid("ends_at", "Give both starts_at and ends_at, or neither.").coded(
            "times_both_or_neither"
        )
    if changes.resource_ids:
        check_new_resources(session, series, changes.resource_ids)
    starts_at = changes.starts_at or since
    ends_at = changes.ends_at or since + (series.ends_at - series.starts_at)
    check_not_past("starts_at", starts_at, moment, policy.past_grace)  # before cancelling any
    if changes.rrule is not None:
        rule = changes.rrule
    else:
        parts = split_rule(series.rrule)
        if "COUNT" in parts:
            parts["COUNT"] = str(
                remaining_count(series.rrule, wall_time(series.starts_at), wall_time(since))
            )
        rule = join_rule(parts)
    request = SeriesRequest(
        type=series.type,
        office=series.office_code,
        title=changes.title or series.title,
        rrule=rule,
        starts_at=starts_at,
        ends_at=ends_at,
        resource_ids=list(changes.resource_ids or series.resource_ids),
        capacity=changes.capacity if changes.capacity is not None else series.capacity,
        public=series.public if changes.public is None else changes.public,
        languages=list(series.languages if changes.languages is None else changes.languages),
        description=series.description,
        reminder_offsets=series.reminder_offsets,
        interpreter_override=changes.interpreter_override,
        interpreter_override_reason=changes.interpreter_override_reason,
    )
    needs = enrolled_needs(session, series)  # who carries over to the new series
    before = series.image()
    announced = _cancel_from(
        session, series, since, actor, "Changed from here on (series split).", moment
    )
    series.rrule = _truncated_rule(series, since)
    series.status = "split"
    series.updated_at = utcnow()
    session.flush()
    successor, _plan = create_series(
        session,
        request,
        actor,
        policy,
        skip_clashes=skip_clashes,
        parent=series,
        now=moment,
        needs=needs,
    )
    carry_over(session, series, successor, actor, moment)
    outbox_series.on_series_continued(session, successor, announced, moment)
    record_change(
        session,
        actor=actor.name,
        action="split",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image() | {"successor_id": successor.id},
    )
    feeds.refresh_series(session, series)
    return successor


EDITABLE = ("title", "description", "capacity", "public", "languages", "reminder_offsets")


def update_series(
    session: Session, series: Series, changes: dict[str, Any], actor: Actor
) -> Series:
    """Change what does not move any occurrence: title, description, capacity, public,
    languages, reminder offsets.

    A larger capacity gives the new seats to the waitlist at once; a smaller one takes no seat
    away from anyone already enrolled. New reminder offsets apply to reminders queued from now
    on (enrolments, moves); those already queued keep their time.
    """
    _require_open(series)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(
            unknown[0], "This cannot be changed here; move, split or end the series."
        ).coded("not_editable_here")
    if "title" in changes and not str(changes["title"]).strip():
        raise Invalid("title", "A series needs a title.").coded("title_required")
    if changes.get("capacity") is not None and changes["capacity"] < 1:
        raise Invalid("capacity", "Capacity is at least 1.").coded("capacity_min")
    for code in changes.get("languages") or ():
        check_language("languages", code)
    if "reminder_offsets" in changes:
        changes = changes | {"reminder_offsets": reminder_hours(changes["reminder_offsets"])}
    before = series.image()
    for name, value in changes.items():
        setattr(series, name, list(value) if name == "languages" else value)
    series.updated_at = utcnow()
    if "public" in changes:
        _publish_occurrences(session, series)
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="update",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image(),
    )
    promote_waitlist(session, series, actor)
    if "reminder_offsets" in changes:
        outbox_series.on_reminders_changed(session, series)
    feeds.refresh_series(session, series)
    return series


def _publish_occurrences(session: Session, series: Series) -> None:
    """Carry the series' public flag to its occurrences and so to the public feed."""
    for booking in session.scalars(select(Booking).where(Booking.series_id == series.id)):
        if booking.public != series.public:
            booking.public = series.public
            feeds.refresh_booking(session, booking)
