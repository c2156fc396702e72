"""Queue SMS in the same transaction as the booking change that causes them.

Each hook is called once at the end of a booking operation. Messages go only to
beneficiaries with recorded SMS consent (a minor's to the guardian's number) and to booked
people with a phone when the change is at short notice. Every row has a unique dedupe key.
What concerns a series as a whole (enrolment, many classes at once) is in `outbox_series`.

Messages are gathered while a hook runs and written by `write_queued` at its end: one
INSERT ... SELECT ... ON CONFLICT (dedupe_key) DO NOTHING executed with all of them, which
looks each number up among the flagged ones (a transaction that commits with messages still
gathered writes them first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    bindparam,
    event,
    func,
    inspect,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from service.models import (
    Beneficiary,
    Booking,
    Enrolment,
    FlaggedNumber,
    OutboxMessage,
    Resource,
    Series,
)
from service.notify.encoding import estimate_cost
from service.notify.quiet import reminder_due
from service.notify.settings import SHORT_NOTICE, NotifySettings
from service.notify.texts import render_sms
from service.plumbing.clock import utcnow
from service.plumbing.errors import Conflict, Invalid, InvalidTransition, NotFound

# Statuses of a message the recipient may have received, so they know about the booking.
TOLD = ("sending", "sent", "delivered", "undelivered", "unclear", "review")
# Reminders closer together than this (after moving out of quiet hours) collapse into one.
REMINDER_GAP = timedelta(hours=1)
_REMOTE_CODES = {"phone": "T", "video": "V"}
GATHERED = "zapis.outbox_rows"  # session.info: dedupe key -> row, not yet written


def notify_settings(session: Session) -> NotifySettings:
    """Return the SMS settings of the app this session belongs to (defaults outside one)."""
    config: Mapping[str, Any] | None = session.info.get("config")
    return NotifySettings.from_config(config) if config else NotifySettings()


def recipient_phone(beneficiary: Beneficiary) -> str | None:
    return beneficiary.guardian_phone if beneficiary.is_minor else beneficiary.phone


def _place(booking: Booking) -> tuple[str, str]:
    if booking.office is not None:
        return booking.office.address, booking.office.place_code
    code = _REMOTE_CODES.get(booking.modality, "L")
    return booking.location or booking.remote_link or "", code


def queue_message(
    session: Session,
    *,
    key: str,
    kind: str,
    template: str,
    booking: Booking,
    to: str,
    language: str,
    discreet: bool,
    due_at: datetime,
    now: datetime,
    settings: NotifySettings,
    beneficiary_id: int | None = None,
    resource_id: int | None = None,
    previous: datetime | None = None,
) -> None:
    """Gather one message unless its dedupe key is gathered already (see `write_queued`).

    `previous` is the start before a move, named in a change notice.
    """
    gathered: dict[str, dict[str, Any]] = session.info.setdefault(GATHERED, {})
    if key in gathered:
        return
    place, code = _place(booking)
    rendered = render_sms(
        template, language, booking.starts_at, place, code, discreet, previous=previous
    )
    gathered[key] = {
        "dedupe_key": key,
        "kind": kind,
        "status": "queued",
        "error_code": None,
        "booking_id": booking.id,
        "beneficiary_id": beneficiary_id,
        "resource_id": resource_id,
        "to": to,
        "body": rendered.body,
        "language": rendered.language_used,
        "encoding": rendered.encoding,
        "segments": rendered.segments,
        "estimated_cost": estimate_cost(rendered.segments, settings.price_per_segment),
        "event_at": booking.starts_at,
        "due_at": due_at,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


# The keys of a gathered message: OutboxMessage's attributes that a new row sets.
_ROW_KEYS = (
    "dedupe_key",
    "kind",
    "status",
    "error_code",
    "booking_id",
    "beneficiary_id",
    "resource_id",
    "to",
    "body",
    "language",
    "encoding",
    "segments",
    "estimated_cost",
    "event_at",
    "due_at",
    "attempts",
    "created_at",
    "updated_at",
)


def write_queued(session: Session) -> None:
    """Write the gathered messages: a flagged number's as failed, none whose key exists."""
    rows = list(session.info.pop(GATHERED, {}).values())
    if rows:
        _insert_messages(session, rows)
    session.flush()


def _insert_messages(session: Session, rows: list[dict[str, Any]]) -> None:
    unwritten = {key for row in rows for key in row} - set(_ROW_KEYS)
    if unwritten:  # a key gathered but not in the INSERT would be dropped without a word
        raise RuntimeError(f"Outbox rows carry keys the INSERT leaves out: {sorted(unwritten)}")
    session.execute(_insert_unless_flagged(session.get_bind().dialect.name), rows)


@cache
def _insert_unless_flagged(dialect_name: str) -> Executable:
    """INSERT one message per parameter set, as failed if its number is flagged, unless its
    dedupe key exists: one statement of one shape, compiled once and cached, however many."""
    columns = inspect(OutboxMessage).columns
    to = bindparam("to", type_=columns["to"].type)
    flagged = select(FlaggedNumber.error_code).where(FlaggedNumber.phone == to)
    values: dict[str, ColumnElement[Any]] = {
        key: bindparam(key, type_=columns[key].type) for key in _ROW_KEYS if key != "to"
    }
    values["to"] = to
    values["status"] = func.coalesce(
        select(literal_column("'failed'")).where(FlaggedNumber.phone == to).scalar_subquery(),
        values["status"],
    )
    values["error_code"] = func.coalesce(flagged.scalar_subquery(), values["error_code"])
    # WHERE true: SQLite parses ON CONFLICT after INSERT ... SELECT only with a WHERE.
    chosen = select(*(values[key] for key in _ROW_KEYS)).where(true())
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement: Executable = (
        dialect.insert(OutboxMessage.__table__)
        .from_select([columns[key] for key in _ROW_KEYS], chosen)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    return statement


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    if session.info.get(GATHERED):
        write_queued(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_gathered(session: Session, transaction: SessionTransaction) -> None:
    """Drop messages still gathered when a transaction or savepoint ends: a hook that failed
    half way (each hook writes what it gathered before it returns, and a commit too)."""
    session.info.pop(GATHERED, None)


def attendees(session: Session, booking: Booking) -> list[Beneficiary]:
    """Who attends: the booking's beneficiaries, and for an occurrence the series' enrolled."""
    people = [row.beneficiary for row in booking.attendee_rows]
    if booking.series_id is not None:
        people += session.scalars(
            select(Beneficiary)
            .join(Enrolment, Enrolment.beneficiary_id == Beneficiary.id)
            .where(Enrolment.series_id == booking.series_id, Enrolment.status == "enrolled")
            .order_by(Beneficiary.id)
        )
    return people


def known_to(session: Session, booking: Booking) -> set[int]:
    """Return the beneficiaries who know of this booking, so a change must be told to them.

    For a single booking that is a message they may have received. For a class of a series
    it is also one still queued (a reminder or the enrolment): the class was announced.
    """
    statuses = (*TOLD, "queued") if booking.series_id is not None else TOLD
    ids = session.scalars(
        select(OutboxMessage.beneficiary_id)
        .where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.beneficiary_id.is_not(None),
            OutboxMessage.status.in_(statuses),
        )
        .distinct()
    )
    return {i for i in ids if i is not None}


def queue_for_beneficiary(
    session: Session,
    booking: Booking,
    beneficiary: Beneficiary,
    kind: str,
    now: datetime,
    settings: NotifySettings,
    *,
    key: str,
    due_at: datetime | None = None,
    previous: datetime | None = None,
) -> None:
    """Queue a `kind` message to a beneficiary with SMS consent and a number, else nothing."""
    to = recipient_phone(beneficiary)
    if not beneficiary.sms_consent or not to:
        return
    queue_message(
        session,
        key=key,
        kind=kind,
        template=kind,
        booking=booking,
        to=to,
        language=beneficiary.language,
        discreet=beneficiary.discreet,
        due_at=due_at or now,
        now=now,
        settings=settings,
        beneficiary_id=beneficiary.id,
        previous=previous,
    )


def reminder_offsets(session: Session, booking: Booking, s: NotifySettings) -> list[timedelta]:
    """Return the booking's reminder offsets: its series' own, else the configured ones."""
    series = session.get(Series, booking.series_id) if booking.series_id is not None else None
    if series is not None and series.reminder_offsets is not None:
        return [timedelta(hours=hours) for hours in series.reminder_offsets]
    return list(s.reminder_offsets(booking.type))


def queue_reminders(
    session: Session, booking: Booking, beneficiary: Beneficiary, now: datetime, s: NotifySettings
) -> None:
    """Queue the booking's reminders still to come, none in quiet hours nor two at once."""
    planned: list[datetime] = []
    for offset in sorted(reminder_offsets(session, booking, s), reverse=True):
        due = reminder_due(booking.starts_at, offset, s)
        if due <= now or any(abs(due - other) < REMINDER_GAP for other in planned):
            continue  # never a flood of late reminders, nor two at once
        planned.append(due)
        minutes = int(offset / timedelta(minutes=1))
        key = f"reminder:{booking.id}:b{beneficiary.id}:v{booking.version}:{minutes}m"
        queue_for_beneficiary(
            session, booking, beneficiary, "reminder", now, s, key=key, due_at=due
        )


def _queue_welcome(
    session: Session,
    booking: Booking,
    now: datetime,
    settings: NotifySettings,
    known: set[int],
    previous: datetime | None = None,
) -> None:
    """Tell each attendee of a confirmed booking, with reminders (new ones after a move).

    Who already knew of it (`known`) gets a change notice naming `previous`, the start before
    the move; others a confirmation, except the enrolled of a class, whose enrolment said it.
    """
    booked = set(booking.beneficiary_ids)
    for beneficiary in attendees(session, booking):
        key = f"{{}}:{booking.id}:b{beneficiary.id}:v{booking.version}"
        if beneficiary.id in known:
            queue_for_beneficiary(
                session, booking, beneficiary, "reschedule", now, settings,
                key=key.format("reschedule"), previous=previous,
            )  # fmt: skip
        elif beneficiary.id in booked:
            queue_for_beneficiary(
                session, booking, beneficiary, "confirmation", now, settings,
                key=key.format("confirmation"),
            )  # fmt: skip
        queue_reminders(session, booking, beneficiary, now, settings)


def _is_short_notice(starts_at: datetime, now: datetime) -> bool:
    return now < starts_at <= now + SHORT_NOTICE


def _queue_staff(
    session: Session,
    booking: Booking,
    people: Iterable[tuple[Resource, str]],
    now: datetime,
    settings: NotifySettings,
) -> None:
    """Text each booked person with a phone; `people` pairs them with the template to use."""
    for person, template in people:
        if not person.is_person or not person.phone:
            continue
        queue_message(
            session,
            key=f"staff_notice:{booking.id}:r{person.id}:v{booking.version}",
            kind="staff_notice",
            template=template,
            booking=booking,
            to=person.phone,
            language=person.locale or "bg",
            discreet=False,
            due_at=now,
            now=now,
            settings=settings,
            resource_id=person.id,
        )


def _set_pending(session: Session, booking_id: int, status: str, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id, OutboxMessage.status == "queued")
        .values(status=status, updated_at=now, lease_until=None, claimed_by=None)
    )


def on_booking_created(session: Session, booking: Booking, now: datetime | None = None) -> None:
    """Queue confirmations and reminders, and staff notices at short notice."""
    now, settings = now or utcnow(), notify_settings(session)
    if booking.starts_at <= now:
        return  # recorded after the fact: nobody needs a message
    if booking.status == "confirmed":
        _queue_welcome(session, booking, now, settings, known=set())
    if _is_short_notice(booking.starts_at, now):
        people = [(hold.resource, "staff_notice") for hold in booking.holds]
        _queue_staff(session, booking, people, now, settings)
    write_queued(session)


def on_booking_rescheduled(
    session: Session, booking: Booking, before: Mapping[str, Any], now: datetime | None = None
) -> None:
    """Supersede what is still queued; queue a notice or confirmation and new reminders."""
    now, settings = now or utcnow(), notify_settings(session)
    known = known_to(session, booking)
    _set_pending(session, booking.id, "superseded", now)
    old_start = datetime.fromisoformat(before["starts_at"])
    if booking.status == "confirmed" and booking.starts_at > now:
        _queue_welcome(session, booking, now, settings, known, previous=old_start)
    if _is_short_notice(booking.starts_at, now) or _is_short_notice(old_start, now):
        old_ids = set(before.get("resource_ids", ()))
        people = [
            (hold.resource, "reschedule" if hold.resource_id in old_ids else "staff_notice")
            for hold in booking.holds
        ]
        dropped = old_ids - set(booking.resource_ids)
        if dropped:
            gone = session.scalars(select(Resource).where(Resource.id.in_(dropped)))
            people += [(person, "cancellation") for person in gone]
        _queue_staff(session, booking, people, now, settings)
    write_queued(session)


def on_booking_status_changed(
    session: Session,
    booking: Booking,
    action: str,
    now: datetime | None = None,
    *,
    tell_attendees: bool = True,
) -> None:
    """Confirm: welcome messages. Cancel: stop what is queued and tell who knew of it.

    Without `tell_attendees` a cancellation only stops what is queued and tells staff; the
    caller tells the attendees once for many classes (`outbox_series.on_classes_cancelled`).
    """
    now, settings = now or utcnow(), notify_settings(session)
    if action == "confirm" and booking.starts_at > now:
        _queue_welcome(session, booking, now, settings, known_to(session, booking))
    elif action == "cancel":
        _on_cancelled(session, booking, now, settings, tell_attendees)
    else:  # completed or no-show: nothing more to remind of
        _set_pending(session, booking.id, "cancelled", now)
    write_queued(session)


def _on_cancelled(
    session: Session, booking: Booking, now: datetime, settings: NotifySettings, tell: bool
) -> None:
    # Read who knows, stop what is queued, and read again: a dispatcher may claim a row as
    # sending between the first read and the stop, and its person must be told too.
    known = known_to(session, booking)
    _set_pending(session, booking.id, "cancelled", now)
    known |= known_to(session, booking)
    if booking.starts_at <= now:
        return
    for beneficiary in attendees(session, booking) if tell else ():
        if beneficiary.id in known:
            queue_for_beneficiary(
                session, booking, beneficiary, "cancellation", now, settings,
                key=f"cancellation:{booking.id}:b{beneficiary.id}",
            )  # fmt: skip
    if _is_short_notice(booking.starts_at, now):
        people = [(hold.resource, "cancellation") for hold in booking.holds]
        _queue_staff(session, booking, people, now, settings)


def cancel_queued_for(session: Session, beneficiary_ids: Iterable[int], now: datetime) -> int:
    """Cancel every queued message of these beneficiaries (consent withdrawn)."""
    ids = list(beneficiary_ids)
    if not ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.beneficiary_id.in_(ids), OutboxMessage.status == "queued")
        .values(status="cancelled", error_code="no_consent", updated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def resend_message(session: Session, outbox_id: int, now: datetime | None = None) -> OutboxMessage:
    """Queue a failed message again, once, to the recipient's current number."""
    now = now or utcnow()
    old = session.get(OutboxMessage, outbox_id)
    if old is None:
        raise NotFound(f"No notification with id {outbox_id}.").coded("notification_unknown")
    if old.status not in ("failed", "undelivered"):
        raise InvalidTransition(
            f"Only a failed notification is resent; this one is {old.status}."
        ).coded("resend_not_failed", status=old.status)
    if old.body is None:
        raise Invalid("id", "The text of this notification was deleted (retention).").coded(
            "resend_text_deleted"
        )
    to = old.to
    if old.beneficiary_id is not None:
        beneficiary = session.get(Beneficiary, old.beneficiary_id)
        if beneficiary is None or not beneficiary.sms_consent:
            raise Invalid("id", "The recipient has not consented to SMS.").coded(
                "resend_no_consent"
            )
        to = recipient_phone(beneficiary)
    elif old.resource_id is not None:
        person = session.get(Resource, old.resource_id)
        to = person.phone if person is not None else None
    if not to:
        raise Invalid("id", "The recipient has no phone number.").coded("resend_no_phone")
    if session.get(FlaggedNumber, to) is not None:
        raise Invalid("id", "The provider refused this number for good; correct it first.").coded(
            "resend_number_flagged"
        )
    key = f"resend:{old.id}"
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        raise Conflict("This notification was resent already.").coded("resend_done_already")
    copy = OutboxMessage(
        dedupe_key=key,
        kind=old.kind,
        status="queued",
        booking_id=old.booking_id,
        beneficiary_id=old.beneficiary_id,
        resource_id=old.resource_id,
        to=to,
        body=old.body,
        language=old.language,
        encoding=old.encoding,
        segments=old.segments,
        estimated_cost=old.estimated_cost,
        event_at=old.event_at,
        due_at=now,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    return copy
