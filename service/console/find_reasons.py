"""Why find-and-book offers nothing, in the page's language, and which rooms are free then."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service.booking.availability import Window, find_free_slots
from service.booking.calendar_rules import public_holiday
from service.booking.policy import BookingPolicy
from service.console.match_words import training_name
from service.console.queries import SlotSearch
from service.directory.catalogue import query_resources
from service.interpreters.interpreter_matching import (
    breaches,
    full_days,
    load_interpreter_rows,
    load_matching,
)
from service.interpreters.interpreter_rules import AVOIDED, GENDER, HOURS_DAY, TRAINING
from service.interpreters.language_match import qualifies
from service.models import Office, Resource


def _office_name(office: Office) -> str:
    return office.name_en if str(get_locale()) == "en" else office.name_bg


def _language_name(code: str) -> str:
    locale = get_locale()
    return str(locale.languages.get(code, code)) if locale else code


def why_nobody_is_free(session: Session, search: SlotSearch, policy: BookingPolicy) -> str:
    """Say why a search found no free time: the office is closed, nobody of that kind or
    language works there, every interpreter there breaks a matching rule for the beneficiaries
    or is at their hour limit, or everyone is booked."""
    return str(_reason(session, search, policy))


def _reason(session: Session, search: SlotSearch, policy: BookingPolicy) -> object:
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
    if search.kind == "interpreter":
        unmatched = _unmatched(session, search, policy)
        if unmatched:
            return unmatched
    return _("Everyone is booked then. Try another day or a shorter time.")


def _names(people: list[Resource]) -> str:
    return ", ".join(sorted(p.name for p in people))


def _unmatched(session: Session, search: SlotSearch, policy: BookingPolicy) -> str | None:
    """Why each interpreter there is left out, when every one is; None when one is not.

    The words name the interpreters, the rule and the beneficiary, never why someone is on a
    beneficiary's avoid list."""
    people = list(
        session.scalars(
            query_resources(
                kind="interpreter",
                language=search.language,
                office=search.office,
                modality=search.modality,
                for_slots=True,
            )
        )
    )
    refs = ", ".join(b.case_reference for b in search.beneficiaries)
    left_out: dict[str, list[Resource]] = defaultdict(list)
    detail: dict[str, str] = {}
    if search.beneficiaries:
        load_interpreter_rows(session, people)
        matching = load_matching(session, search.beneficiaries, search.booking_type)
        broken = breaches(people, matching)
        for person in people:
            if not qualifies(person, search.beneficiaries):
                left_out["language"].append(person)
            elif person.id in broken:
                first = broken[person.id][0]
                left_out[first.rule].append(person)
                if first.rule == GENDER:
                    detail[GENDER] = first.params["gender"]
                if first.rule == TRAINING:
                    detail[TRAINING] = first.params["training"]
    rest = [p for p in people if not any(p in group for group in left_out.values())]
    full = full_days(
        session,
        rest,
        start=search.window.start,
        end=search.window.end,
        booking_type=search.booking_type,
        duration=search.window.duration,
        policy=policy,
    )
    left_out[HOURS_DAY] = [p for p in rest if search.day in full.get(p.id, ())]
    if not people or len(left_out[HOURS_DAY]) < len(rest):
        return None
    words = [_("Nobody who matches is free then.")]
    if left_out["language"]:
        words.append(
            _(
                "No shared language with %(refs)s: %(names)s.",
                refs=refs,
                names=_names(left_out["language"]),
            )
        )
    if left_out[AVOIDED]:
        words.append(
            _(
                "On the avoid list of %(refs)s: %(names)s.",
                refs=refs,
                names=_names(left_out[AVOIDED]),
            )
        )
    if left_out[GENDER]:
        if detail[GENDER] == "female":
            said = _(
                "Not the female interpreter %(refs)s asked for: %(names)s.",
                refs=refs,
                names=_names(left_out[GENDER]),
            )
        else:
            said = _(
                "Not the male interpreter %(refs)s asked for: %(names)s.",
                refs=refs,
                names=_names(left_out[GENDER]),
            )
        words.append(said)
    if left_out[TRAINING]:
        words.append(
            _(
                "Not trained for %(training)s: %(names)s.",
                training=training_name(detail[TRAINING]),
                names=_names(left_out[TRAINING]),
            )
        )
    if left_out[HOURS_DAY]:
        words.append(
            _("At their hour limit that day: %(names)s.", names=_names(left_out[HOURS_DAY]))
        )
    return " ".join(str(w) for w in words)


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
