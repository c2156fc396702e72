"""Signing in and out."""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service import accounts
from service.console.forms import LoginForm, SignOutForm
from service.console.roles import landing_endpoint
from service.console.web import bp
from service.db import get_session


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
    session.clear()
    return redirect(url_for("console.login"))


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for(landing_endpoint(g.console_principal.role)))
