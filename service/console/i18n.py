"""Languages of the console: the user's setting, else the browser's Accept-Language, else bg."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.directory.languages import english_name
from service.interpreters.language_match import LanguageMismatch

LOCALES = ("bg", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LABELS = {
    "tentative": _l("tentative"),
    "confirmed": _l("confirmed"),
    "completed": _l("completed"),
    "no_show": _l("no-show"),
    "cancelled": _l("cancelled"),
    "interpretation": _l("interpretation"),
    "counselling": _l("counselling"),
    "language_class": _l("language class"),
    "info_session": _l("information session"),
    "training": _l("training"),
    "community_event": _l("community event"),
    "in_person": _l("in person"),
    "phone": _l("phone"),
    "video": _l("video"),
    "create": _l("created"),
    "override_create": _l("created outside hours"),
    "record_past": _l("recorded after the fact"),
    "confirm": _l("confirmed"),
    "cancel": _l("cancelled"),
    "complete": _l("completed"),
    "reschedule": _l("rescheduled"),
    "admin": _l("admin"),
    "coordinator": _l("coordinator"),
    "staff": _l("staff"),
    "read_only": _l("read only"),
}
# An SMS's kind, status and recipient, which share some codes with bookings' words.
MESSAGE_LABELS = {
    "confirmation": _l("confirmation"),
    "reminder": _l("reminder"),
    "reschedule": _l("change of time"),
    "cancellation": _l("cancellation"),
    "staff_notice": _l("notice to staff"),
    "enrolment": _l("enrolment"),
    "waitlist_promotion": _l("place from the waiting list"),
    "queued": _l("queued"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "delivered": _l("delivered"),
    "undelivered": _l("not delivered"),
    "failed": _l("failed"),
    "unclear": _l("being checked with Twilio"),
    "review": _l("to check (outcome unknown)"),
    "cancelled": lazy_pgettext("SMS status", "cancelled"),  # съобщение: neuter in Bulgarian
    "superseded": _l("replaced by a newer message"),
    "beneficiary": _l("beneficiary"),
    "guardian": _l("guardian"),
    "staff": _l("staff"),
    "unknown": _l("unknown"),
}


# Twilio's error codes a coordinator meets (https://www.twilio.com/docs/api/errors).
TWILIO_ERRORS = {
    "21211": _l("not a valid phone number"),
    "21408": _l("sending to this country is not enabled"),
    "21610": _l("the person replied STOP"),
    "21612": _l("this number cannot receive SMS from us"),
    "21614": _l("not a mobile number"),
    "30003": _l("phone switched off or out of reach"),
    "30004": _l("message blocked by the recipient or network"),
    "30005": _l("unknown number"),
    "30006": _l("a landline, or the network cannot be reached"),
    "30007": _l("filtered by the network as spam"),
    "30008": _l("unknown error at the network"),
}


def error_name(code: object) -> str:
    """A Twilio error code in words, with the code for a support request."""
    if code is None or code == "":
        return "—"
    words = TWILIO_ERRORS.get(str(code))
    return f"{words} ({code})" if words is not None else str(code)


def label(value: object) -> str:
    """The words for a stored code (status, type, modality, audit action) in this locale."""
    return str(LABELS.get(str(value), value))


def message_label(value: object) -> str:
    """The words for an SMS's kind, status or recipient in this locale."""
    return str(MESSAGE_LABELS.get(str(value), value))


def language_name(code: str) -> str:
    """The name of an ISO 639 language in this locale, else in English, else the code."""
    names = get_locale().languages if get_locale() is not None else {}
    return str(names.get(code) or english_name(code) or code)


def select_locale() -> str:
    if not has_request_context():
        return "bg"
    user_locale = getattr(g, "console_locale", None)
    if user_locale in LOCALES:
        return str(user_locale)
    best: str | None = request.accept_languages.best_match(LOCALES)
    return best or "bg"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "bg")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE", "Europe/Sofia"))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["message_label"] = message_label
    app.jinja_env.filters["error_name"] = error_name
    app.jinja_env.filters["language_name"] = language_name


def language_refusal(exc: LanguageMismatch) -> str:
    """The language rule's refusal in the page's language."""

    def spoken(codes: list[str]) -> str:
        return ", ".join(language_name(code) for code in codes)

    return str(
        _(
            "%(interpreter)s speaks %(theirs)s; %(reference)s speaks %(spoken)s. "
            "They share no language: choose another interpreter.",
            interpreter=exc.interpreter_name,
            theirs=spoken(exc.interpreter_languages),
            reference=exc.beneficiary_reference,
            spoken=spoken(exc.beneficiary_languages),
        )
    )
