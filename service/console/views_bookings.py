"""Find a free slot and book it in one step; a booking's page (its SMS, replies, audit trail) and
cancel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from service.access import access_loaders
from service.access.access_facts import booking_facts, booking_request_facts
from service.access.access_policy import (
    Action,
    Facts,
    Kind,
    allows,
    list_scope,
    require,
    sees_details,
)
from service.access.auth import Principal
from service.booking import bookings
from service.booking.availability import Slot
from service.console import notices, queries
from service.console.board import visible_offices
from service.console.find_reasons import free_rooms, why_nobody_is_free
from service.console.forms import (
    BOOKING_TYPE_OF_KIND,
    BookForm,
    CancelForm,
    FindForm,
    RescheduleForm,
)
from service.console.i18n import language_name, language_refusal
from service.console.once import once_per_form
from service.console.series_forms import EnrolForm
from service.console.web import actor, bp, policy, principal
from service.console.words import describe, overridden_words
from service.interpreters.interpreter_rules import InterpreterRuleBroken
from service.interpreters.language_match import LanguageMismatch
from service.models import Beneficiary, Booking, Resource
from service.notify.notifications import list_replies
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict, Invalid
from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR, ROW_ID_MAX, whole_number

SEARCH_FIELDS = ("kind", "language", "modality", "office", "day", "minutes", "beneficiaries")


def _find_form(who: Principal, data: MultiDict[str, str]) -> FindForm:
    db = get_session()
    form = FindForm(formdata=data if data else None)
    english = str(get_locale()) == "en"
    form.office.choices = [
        SelectChoice(o.code, o.name_en if english else o.name_bg) for o in visible_offices(db, who)
    ]
    form.language.choices = [SelectChoice("", _("Any language"))] + [
        SelectChoice(code, language_name(code)) for code in queries.languages_offered(db)
    ]
    if not data:
        form.day.data = to_sofia(utcnow()).date() + timedelta(days=1)
    return form


def _search(form: FindForm, people: list[Beneficiary]) -> queries.SlotSearch:
    return queries.SlotSearch(
        kind=form.kind.data,
        language=form.language.data or None,
        modality=form.modality.data,
        office=form.office.data,
        day=form.day.data,
        minutes=form.minutes.data,
        booking_type=BOOKING_TYPE_OF_KIND[form.kind.data],
        beneficiaries=tuple(people),
    )


def may_match(who: Principal) -> bool:
    """Whether the search may match interpreters to beneficiaries (who may see them)."""
    return allows(who, Action.LIST, Kind.BENEFICIARY)


def _matched(who: Principal, form: FindForm) -> list[Beneficiary] | None:
    """The beneficiaries the search is for; None when one is unknown (said on the field)."""
    text = form.beneficiaries.data or ""
    if not text.strip() or not may_match(who):
        return []
    try:
        references = _references(text)
        return [access_loaders.find_beneficiary(get_session(), who, r) for r in references]
    except Invalid as exc:
        form.beneficiaries.errors = [describe(exc)]
        return None


MAX_BENEFICIARIES = 10


def room_choices(rooms: list[Resource]) -> list[SelectChoice]:
    return [SelectChoice("0", _("No room"))] + [
        SelectChoice(str(r.id), _("%(room)s (%(places)d places)", room=r.name, places=r.capacity))
        if r.capacity
        else SelectChoice(str(r.id), r.name)
        for r in rooms
    ]


def _chosen_span(slot: str, minutes: int | None) -> tuple[datetime, datetime] | None:
    """The instants of a slot value `resource|start` and a duration, if they make sense."""
    try:
        starts_at = datetime.fromisoformat(slot.partition("|")[2])
    except ValueError:
        return None
    if starts_at.tzinfo is None or not FIRST_YEAR <= starts_at.year <= LAST_YEAR or not minutes:
        return None
    return starts_at, starts_at + timedelta(minutes=minutes)


def _book_form(office: str | None, span: tuple[datetime, datetime] | None = None) -> BookForm:
    """The booking form; its rooms are those free for the chosen time, else all the office's."""
    form = BookForm()
    db = get_session()
    if not office:
        rooms = []
    elif span is not None:
        rooms = free_rooms(db, office, span[0], span[1], policy())
    else:
        rooms = queries.rooms_of(db, office)
    form.room.choices = room_choices(rooms)
    return form


def _render_find(
    find: FindForm, book: BookForm, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    searched = bool(request.values) and find.validate()
    who = principal()
    only = who.resource_id if who.role == "staff" else None
    people = _matched(who, find) if searched else []
    searched = searched and people is not None
    search = _search(find, people or []) if searched else None
    offers = queries.free_slots(get_session(), search, policy(), only) if search else []
    if search and extra.get("offer_interpreter_override"):
        offers = _with_refused_slot(offers, book, search.window.duration)
    if search and not offers:
        extra.setdefault("nothing", why_nobody_is_free(get_session(), search, policy()))
    if people and not book.case_reference.data:
        book.case_reference.data = ", ".join(p.case_reference for p in people)
    fields = [f for f in SEARCH_FIELDS if f != "beneficiaries" or may_match(who)]
    context = {
        "find": find,
        "book": book,
        "offers": offers,
        "searched": searched,
        "case_references": queries.case_references(get_session(), who),
        "search_fields": SEARCH_FIELDS,
        "find_fields": fields,
        **extra,
    }
    template = "console/_slots.html" if request.headers.get("HX-Request") else "console/find.html"
    return render_template(template, **context), status


@bp.route("/find")
def find() -> ResponseReturnValue:
    who = principal()
    form = _find_form(who, request.args)
    return _render_find(form, _book_form(form.office.data))


@bp.route("/find/rooms")
def find_rooms() -> ResponseReturnValue:
    """The room choices free for the time ticked in the slot list (drawn again by htmx)."""
    who = principal()
    find_form = _find_form(who, request.args)
    offered = {choice.value for choice in find_form.office.choices or []}
    office = find_form.office.data if find_form.office.data in offered else None
    span = _chosen_span(
        request.args.get("slot", ""), whole_number(request.args.get("minutes", ""), 15, 24 * 60)
    )
    form = _book_form(office, span)
    form.room.data = whole_number(request.args.get("room", ""), 0, ROW_ID_MAX)  # kept if free
    return render_template("console/_rooms.html", book=form)


def _references(text: str) -> list[str]:
    """The case references typed, separated by commas or semicolons, each once."""
    found = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_BENEFICIARIES:
        raise Invalid("case_reference", f"At most {MAX_BENEFICIARIES} beneficiaries per booking.")
    return unique


def _chosen_slot(form: BookForm) -> tuple[int, datetime] | None:
    """The person and start ticked in the slot list (`id|ISO start`), or None if malformed."""
    resource, _sep, start = (form.slot.data or "").partition("|")
    resource_id = whole_number(resource, 1, ROW_ID_MAX)
    try:
        starts_at = datetime.fromisoformat(start)
    except ValueError:
        return None
    if (
        resource_id is None
        or starts_at.tzinfo is None
        or not FIRST_YEAR <= starts_at.year <= LAST_YEAR
    ):
        return None
    return resource_id, starts_at


def _with_refused_slot(
    offers: list[queries.Offer], book: BookForm, duration: timedelta
) -> list[queries.Offer]:
    """Keep the time an overridable interpreter rule just refused, so that it can be booked
    with the override: the free times leave out interpreters who break a rule."""
    chosen = _chosen_slot(book)
    if chosen is None:
        return offers
    resource_id, starts_at = chosen
    for offer in offers:
        if offer.resource.id == resource_id and any(s.starts_at == starts_at for s in offer.slots):
            return offers
    resource = get_session().get(Resource, resource_id)
    if resource is None:
        return offers
    return [queries.Offer(resource, [Slot(starts_at, starts_at + duration)]), *offers]


def _create(who: Principal, find: FindForm, form: BookForm) -> Booking:
    chosen = _chosen_slot(form)
    if chosen is None:
        raise Invalid("slot", "Choose one of the free times.")
    resource_id, starts_at = chosen
    resource_ids = [resource_id]
    if form.room.data:
        resource_ids.append(form.room.data)
    db = get_session()
    people = [
        access_loaders.find_beneficiary(db, who, reference)
        for reference in _references(form.case_reference.data or "")
    ]
    facts = booking_request_facts(db, find.office.data, resource_ids, len(people))
    require(who, Action.CHANGE, Kind.BOOKING, facts)
    override = may_override_language(who) and bool(form.language_override.data)
    booking_request = bookings.BookingRequest(
        type=BOOKING_TYPE_OF_KIND[find.kind.data],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=find.minutes.data),
        resource_ids=resource_ids,
        office=find.office.data,
        beneficiary_ids=[person.id for person in people],
        modality=find.modality.data,
        remote_link=form.remote_link.data or None,
        notes=form.notes.data or None,
        language_override=override,
        language_override_reason=(form.language_override_reason.data or None) if override else None,
        **interpreter_override_of(who, form),
    )
    return bookings.create_booking(db, booking_request, actor(), policy())


def interpreter_override_of(
    who: Principal, form: BookForm | EnrolForm | RescheduleForm
) -> dict[str, Any]:
    """The interpreter override a console form asks for, if its user may override."""
    override = may_override_language(who) and bool(form.interpreter_override.data)
    reason = (form.interpreter_override_reason.data or None) if override else None
    return {"interpreter_override": override, "interpreter_override_reason": reason}


def interpreter_refusal(who: Principal, exc: Invalid) -> tuple[str, bool] | None:
    """A refusal of the interpreter rules in words, and whether to offer the override; None
    for any other refusal."""
    if exc.field == "interpreter_override_reason":
        return str(_("Say why the interpreter rules are set aside.")), True
    if not isinstance(exc, InterpreterRuleBroken):
        return None
    offer = exc.breach.overridable and may_override_language(who)
    words = describe(exc)
    if offer:
        words += " " + str(_("Tick the box below to go ahead all the same, and say why."))
    return words, offer


def may_override_language(who: Principal) -> bool:
    """Whether the console offers to book an interpreter despite the language rule."""
    return who.role in ("admin", "coordinator")


@bp.route("/book", methods=["POST"])
@once_per_form
def book() -> ResponseReturnValue:
    who = principal()
    require(who, Action.CHANGE, Kind.BOOKING)  # before the form: nothing to learn from it
    find_form = _find_form(who, request.form)
    # Every room of the office is accepted here: one taken meanwhile is refused by the booking
    # itself, with the clash named.
    form = _book_form(find_form.office.data)
    db = get_session()
    if not (find_form.validate() and form.validate()):
        passed = form.slot.errors and form.slot.data  # a time chosen, that has passed since
        error = form.slot.errors[0] if passed else _("Choose a time and a beneficiary.")
        return _render_find(find_form, form, 422, error=error)
    try:
        booking = _create(who, find_form, form)
    except Conflict as exc:
        db.rollback()
        clashes = queries.describe_conflicts(db, exc.conflicts)
        return _render_find(find_form, form, 409, error=describe(exc), clashes=clashes)
    except LanguageMismatch as exc:
        db.rollback()
        return _render_find(
            find_form,
            form,
            422,
            error=language_refusal(exc),
            offer_override=may_override_language(who),
        )
    except Invalid as exc:
        db.rollback()
        matching = interpreter_refusal(who, exc)
        if matching is not None:
            words, offer = matching
            return _render_find(find_form, form, 422, error=words, offer_interpreter_override=offer)
        if exc.field == "language_override_reason":
            return _render_find(
                find_form,
                form,
                422,
                error=_("Say why this interpreter is booked all the same."),
                offer_override=True,
            )
        return _render_find(find_form, form, 422, error=describe(exc))
    db.commit()
    flash(_("Booked: booking %(id)d.", id=booking.id))
    return redirect(url_for("console.booking", booking_id=booking.id))


def reschedule_form(booking: Booking) -> RescheduleForm:
    """The reschedule form, filled with the booking's current Sofia day and times."""
    form = RescheduleForm(formdata=None)
    starts, ends = to_sofia(booking.starts_at), to_sofia(booking.ends_at)
    form.version.data, form.day.data = booking.version, starts.date()
    form.starts.data, form.ends.data = starts.time(), ends.time()
    return form


def render_booking(
    booking: Booking,
    status: int = 200,
    *,
    cancel: CancelForm | None = None,
    reschedule: RescheduleForm | None = None,
    **extra: Any,
) -> ResponseReturnValue:
    """The booking's page, with the forms its viewer may use (those given keep their input)."""
    who = principal()
    db = get_session()
    facts = booking_facts(db, booking)
    may_write = allows(who, Action.CHANGE, Kind.BOOKING, facts)
    replies = []
    if allows(who, Action.LIST, Kind.REPLY):
        found = list_replies(db, list_scope(who, Kind.REPLY), booking_id=booking.id)
        replies = notices.replies(db, found)
    page = queries.booking_page(db, who, booking)
    overridden = None
    if booking.interpreter_override_rules and sees_details(who, Facts.of([booking.office_code])):
        overridden = (
            overridden_words(booking.interpreter_override_rules),
            booking.interpreter_override_reason,
        )
    context = {
        "page": page,
        "interpreter_overridden": overridden,
        "actions": bookings.allowed_actions(booking) if may_write else [],
        "may_resend": allows(who, Action.CHANGE, Kind.NOTIFICATION),
        "replies": replies,
        "cancel": cancel or CancelForm(formdata=None),
        "reschedule": reschedule or reschedule_form(booking),
        **extra,
    }
    return render_template("console/booking.html", **context), status


def load_booking(who: Principal, booking_id: int, *, write: bool) -> Booking:
    action = Action.CHANGE if write else Action.READ
    return access_loaders.load_booking(get_session(), who, booking_id, action)


@bp.route("/bookings/<int:booking_id>")
def booking(booking_id: int) -> ResponseReturnValue:
    return render_booking(load_booking(principal(), booking_id, write=False))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel(booking_id: int) -> ResponseReturnValue:
    shown = load_booking(principal(), booking_id, write=True)
    form = CancelForm()
    if not form.validate():
        return render_booking(shown, 422, cancel=form)
    db = get_session()
    bookings.change_status(db, shown, "cancel", actor(), reason=form.reason.data)
    db.commit()
    flash(_("Booking %(id)d is cancelled.", id=shown.id))
    return redirect(url_for("console.booking", booking_id=shown.id))
