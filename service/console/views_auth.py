"""Signing in and out."""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access import accounts
from service.console.forms import LoginForm, SignOutForm
from service.console.roles import landing_endpoint
from service.console.web import bp
from service.plumbing.db import get_session
from service.web import ratelimit


def _safe_next(target: str | None, role: str) -> str:
    """Follow `next` only within the console, never to another site nor with a broken header.

    Anything but printable ASCII (CR and LF above all, which would split the Location header)
    or a backslash makes it no `next` at all.
    """
    if (
        target
        and target.startswith("/console/")
        and target.isascii()
        and target.isprintable()
        and "\\" not in target
    ):
        return target
    return url_for(landing_endpoint(role))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        user = accounts.authenticate_user(db, form.email.data or "", form.password.data or "")
        db.commit()  # a failure counts towards the lockout
        if user is not None:
            session.clear()
            session.permanent = True
            session["uid"] = user.id
            session["stamp"] = accounts.session_stamp(user)
            return redirect(_safe_next(request.args.get("next"), user.role))
        # Only a failed sign-in counts against the address, so a correct one always passes.
        retry_after = ratelimit.count_failed_authentication()
        if retry_after is not None:
            error = _(
                "Too many failed sign-ins from your address. Try again in %(seconds)d s.",
                seconds=retry_after,
            )
            page = render_template("console/login.html", form=form, error=error)
            return page, 429, {"Retry-After": str(retry_after)}
        error = _(
            "Wrong email or password, or the account is locked. After %(count)d failed "
            "attempts an account is locked for %(minutes)d minutes.",
            count=accounts.MAX_FAILED_LOGINS,
            minutes=int(accounts.LOCKOUT.total_seconds() // 60),
        )
    elif request.method == "POST":
        error = _("Enter your email and password.")
    return render_template("console/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    SignOutForm()  # the CSRF token was checked before the view
    db = get_session()
    accounts.end_sessions(db, g.console_user)  # a copy of the cookie is refused from now on
    db.commit()
    session.clear()
    return redirect(url_for("console.login"))


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for(landing_endpoint(g.console_principal.role)))
