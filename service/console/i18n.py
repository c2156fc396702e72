"""Languages of the console: the user's setting, else the browser's Accept-Language, else bg."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

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
    "confirm": _l("confirmed"),
    "cancel": _l("cancelled"),
    "complete": _l("completed"),
    "reschedule": _l("rescheduled"),
}


def label(value: object) -> str:
    """The words for a stored code (status, type, modality, audit action) in this locale."""
    return str(LABELS.get(str(value), value))


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
