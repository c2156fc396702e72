"""Why find-and-book offers nothing, in the page's language, and which rooms are free then."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service.availability import Window, find_free_slots
from service.calendar_rules import public_holiday
from service.catalogue import query_resources
from service.console.queries import SlotSearch
from service.models import Office, Resource
from service.policy import BookingPolicy


def _office_name(office: Office) -> str:
    return office.name_en if str(get_locale()) == "en" else office.name_bg


def _language_name(code: str) -> str:
    locale = get_locale()
    return str(locale.languages.get(code, code)) if locale else code


def why_nobody_is_free(session: Session, search: SlotSearch) -> str:
    """Say why a search found no free time: the office is closed, nobody of that kind or
    language works there, or everyone is booked."""
    return str(_reason(session, search))


def _reason(session: Session, search: SlotSearch) -> object:
    office = session.scalar(
        select(Office)
        .where(Office.code == search.office)
        .options(selectinload(Office.closures), selectinload(Office.opening_hours))
    )
    if office is None:
        return _("Nobody is free then. Try another day, office or language.")
    name = _office_name(office)
    holiday = public_holiday(search.day, str(get_locale()))
    if holiday:
        return _("%(office)s is closed that day: %(holiday)s.", office=name, holiday=holiday)
    closure = next((c for c in office.closures if c.day == search.day), None)
    if closure is not None:
        return _(
            "%(office)s is closed that day: %(reason)s.",
            office=name,
            reason=closure.reason,
        )
    if not any(hours.weekday == search.day.weekday() for hours in office.opening_hours):
        return _("%(office)s is closed on that day of the week.", office=name)
    people = query_resources(
        kind=search.kind, language=search.language, office=search.office, modality=search.modality
    ).subquery()
    if not session.scalar(select(func.count()).select_from(people)):
        if search.language:
            return _(
                "Nobody at %(office)s works in %(language)s in this way.",
                office=name,
                language=_language_name(search.language),
            )
        return _("Nobody of this kind works at %(office)s in this way.", office=name)
    return _("Everyone is booked then. Try another day or a shorter time.")


def free_rooms(
    session: Session, office: str, starts_at: datetime, ends_at: datetime, policy: BookingPolicy
) -> list[Resource]:
    """The office's rooms free from `starts_at` to `ends_at`, smallest first."""
    rooms = list(session.scalars(query_resources(kind="room", office=office)))
    window = Window(start=starts_at, end=ends_at, duration=ends_at - starts_at)
    found = find_free_slots(
        session, rooms, office_code=office, modality="in_person", window=window, policy=policy
    )
    free = {offer.resource_id for offer in found if offer.slots}
    return sorted((r for r in rooms if r.id in free), key=lambda r: (r.capacity or 0, r.name))
