"""The coordinator console: server-rendered pages under /console, signed in with a password.

Views are thin: they parse a form, authorise, call the same domain operations as the API and
commit. Sessions are signed cookies; every form carries a CSRF token (the JSON API, which uses
bearer tokens, is not CSRF-checked).

App layer: may import `service.web`, the operation packages, `service.models` and
`service.plumbing`; nothing below imports it.
"""

from __future__ import annotations

from flask import Flask

from service.console import cli, i18n, web, words
from service.console.secret import configure_secret_key


def init_app(app: Flask) -> None:
    configure_secret_key(app)
    secure = bool(app.config.get("CONSOLE_SECURE_COOKIES")) or (
        app.config.get("PREFERRED_URL_SCHEME") == "https"
    )
    app.config.update(
        SESSION_COOKIE_NAME="zapis_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the console blueprint only
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a form stays usable for a working day
    )
    i18n.init_app(app)
    app.jinja_env.globals["closed_words"] = words.closed_words
    app.jinja_env.filters["office_name_of"] = words.office_name_of
    web.csrf.init_app(app)
    from service.console import (  # noqa: F401
        roles,
        views_account,
        views_auth,
        views_beneficiaries,
        views_board,
        views_booking_actions,
        views_bookings,
        views_calendar,
        views_interpreter_month,
        views_needs,
        views_privacy,
        views_reminders,
        views_series,
        views_series_changes,
        views_series_roster,
        views_statistics,
        views_time_off,
        views_users,
    )

    app.register_blueprint(web.bp)
    cli.init_app(app)
