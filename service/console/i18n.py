"""Languages of the console: the user's setting, else the browser's Accept-Language, else bg."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale

LOCALES = ("bg", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


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
