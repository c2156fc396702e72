"""Your account: change your password, choose the language of the pages."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.access import accounts
from service.console.forms_people import LocaleForm, PasswordForm
from service.console.web import bp
from service.models import User
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid


def _user() -> User:
    user: User = g.console_user
    return user


def _render(
    password_form: PasswordForm | None = None,
    locale_form: LocaleForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if locale_form is None:
        locale_form = LocaleForm(formdata=None, locale=_user().locale or "")
    return render_template(
        "console/account.html",
        password_form=password_form or PasswordForm(formdata=None),
        locale_form=locale_form,
        min_length=accounts.MIN_PASSWORD_LENGTH,
    ), status


@bp.route("/account")
def account() -> ResponseReturnValue:
    return _render()


@bp.route("/account/password", methods=["POST"])
def account_password() -> ResponseReturnValue:
    form = PasswordForm()
    if not form.validate():
        return _render(password_form=form, status=422)
    db = get_session()
    user = _user()
    try:
        accounts.change_password(db, user, form.current.data or "", form.new.data or "")
    except Invalid as exc:
        db.rollback()
        if exc.field == "current_password":
            form.current.errors = [_("The current password is not right.")]
        else:
            form.new.errors = [
                _(
                    "A password has at least %(count)d characters.",
                    count=accounts.MIN_PASSWORD_LENGTH,
                )
            ]
        return _render(password_form=form, status=422)
    db.commit()
    session["stamp"] = accounts.session_stamp(user)  # stay signed in here, end other sessions
    flash(_("Your password is changed; other sign-ins have ended."))
    return redirect(url_for("console.account"))


@bp.route("/account/locale", methods=["POST"])
def account_locale() -> ResponseReturnValue:
    form = LocaleForm()
    if not form.validate():
        return _render(locale_form=form, status=422)
    db = get_session()
    accounts.set_locale(db, _user(), form.locale.data or None)
    db.commit()
    g.console_locale = _user().locale
    flash(_("Your language is saved."))
    return redirect(url_for("console.account"))
