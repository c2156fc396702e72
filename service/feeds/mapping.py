"""Map a booking to the calendars package's FeedEvent, as each privacy level may show it.

full     coordinators and admins: case references, languages, people, room, link, notes.
limited  staff: the same without notes, and discreet beneficiaries without their reference.
An erased beneficiary is shown at every level as "data erased", never by their tombstone's
generated reference.
busy     a "Busy" block with the office and the time, nothing else.
public   public community events: what, where and when.
No level ever shows a phone number: `without_numbers` replaces every number phonenumbers finds
in any text of a VEVENT, whatever field it was typed into, and a phone booking links to its
page in the console instead of showing the number to dial.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, has_app_context

from calendars import FeedEvent
from service.directory.phones import hide_numbers
from service.feeds.text import word
from service.models import Booking, Office

LOCAL_STATUS = {"tentative": "TENTATIVE"}
# Bump with any change to what this module or text.py writes, then run `flask rebuild-feeds`.
MAPPING_VERSION = "3"


def booking_uid(booking_id: int) -> str:
    return f"booking-{booking_id}@zapis"


def console_booking_url(booking_id: int) -> str:
    """The booking's console page: absolute under PUBLIC_BASE_URL when set, else its path.

    Pieces are rendered when a booking changes, outside any request (and by the CLI), so the
    base comes from the configuration, never from a request; run `flask rebuild-feeds` after
    changing PUBLIC_BASE_URL.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") if has_app_context() else None
    path = f"/console/bookings/{booking_id}"
    return f"{base.rstrip('/')}{path}" if base else path


def without_numbers(event: FeedEvent, locale: str) -> FeedEvent:
    """Return event with every phone number in its texts replaced by a neutral placeholder.

    A URL that held a number is dropped rather than shown broken.
    """
    hidden = word(locale, "phone_hidden")

    def clean(text: str | None) -> str | None:
        return hide_numbers(text, hidden) if text else text

    url = event.url
    if url and clean(url) != url:
        url = None
    return replace(
        event,
        summary=clean(event.summary) or event.summary,
        description=clean(event.description),
        location=clean(event.location),
        categories=tuple(clean(c) or c for c in event.categories),
        url=url,
    )


def office_name(office: Office, locale: str) -> str:
    return office.name_bg if locale == "bg" else office.name_en


def _location(booking: Booking, privacy: str, locale: str) -> str | None:
    office = booking.office
    if privacy == "busy":
        return office_name(office, locale) if office is not None else None
    rooms = [h.resource.name for h in booking.holds if h.resource.kind == "room"]
    if office is None:
        return ", ".join(p for p in (booking.location, *rooms) if p) or None
    return ", ".join((office_name(office, locale), office.address, *rooms))


def _beneficiaries(booking: Booking, privacy: str, locale: str) -> list[str]:
    shown = []
    for row in booking.attendee_rows:
        person = row.beneficiary
        hidden = person.discreet and privacy != "full"
        if person.erased_at is not None:
            reference = word(locale, "erased")
        else:
            reference = word(locale, "discreet") if hidden else person.case_reference
        shown.append(f"{reference} ({person.language})")
    return shown


def _description(booking: Booking, privacy: str, locale: str) -> str | None:
    if privacy == "busy":
        return None
    if privacy == "public":
        return word(locale, "public_description")
    lines = [
        f"{word(locale, 'status')}: {word(locale, booking.status)}",
        f"{word(locale, 'modality')}: {word(locale, booking.modality)}",
    ]
    people = [h.resource.name for h in booking.holds if h.resource.kind != "room"]
    rooms = [h.resource.name for h in booking.holds if h.resource.kind == "room"]
    if people:
        lines.append(f"{word(locale, 'people')}: {', '.join(people)}")
    if rooms:
        lines.append(f"{word(locale, 'room')}: {', '.join(rooms)}")
    beneficiaries = _beneficiaries(booking, privacy, locale)
    if beneficiaries:
        lines.append(f"{word(locale, 'beneficiaries')}: {', '.join(beneficiaries)}")
    if booking.modality == "phone":  # the number to dial is on the console page, never here
        lines.append(f"{word(locale, 'link')}: {console_booking_url(booking.id)}")
    elif booking.modality != "in_person" and booking.remote_link:
        lines.append(f"{word(locale, 'link')}: {booking.remote_link}")
    if privacy == "full" and booking.notes:
        lines.append(f"{word(locale, 'notes')}: {booking.notes}")
    return "\n".join(lines)


def _summary(booking: Booking, privacy: str, locale: str) -> str:
    if privacy == "busy":
        return word(locale, "busy")
    label = word(locale, booking.type)
    if privacy == "public":
        return label
    languages = sorted({row.beneficiary.language for row in booking.attendee_rows})
    return f"{label} · {', '.join(languages)}" if languages else label


def _url(booking: Booking, privacy: str) -> str | None:
    link = booking.remote_link
    if privacy in ("full", "limited") and booking.modality == "phone":
        page = console_booking_url(booking.id)
        return page if page.startswith(("https://", "http://")) else None
    if privacy in ("full", "limited") and booking.modality == "video" and link:
        return link if link.startswith(("https://", "http://")) else None
    return None


def booking_event(booking: Booking, privacy: str, locale: str, *, sequence: int) -> FeedEvent:
    """Return the VEVENT values of booking as a feed of `privacy` in `locale` shows them."""
    event = FeedEvent(
        uid=booking_uid(booking.id),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=_summary(booking, privacy, locale),
        description=_description(booking, privacy, locale),
        location=_location(booking, privacy, locale),
        categories=() if privacy == "busy" else (word(locale, booking.type),),
        status=LOCAL_STATUS.get(booking.status, "CONFIRMED"),
        sequence=sequence,
        url=_url(booking, privacy),
        created=booking.created_at,
        last_modified=booking.updated_at,
    )
    return without_numbers(event, locale)
