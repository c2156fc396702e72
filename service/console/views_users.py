"""Accounts, for admins: who can sign in, reset a password, deactivate and reactivate."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service import accounts
from service.clock import utcnow
from service.console.forms_people import ResetForm, UserActionForm
from service.console.roles import require_section
from service.console.web import bp, principal
from service.db import get_session
from service.errors import Invalid
from service.models import User


def _render(
    status: int = 200,
    *,
    made: tuple[User, str] | None = None,
    failed: tuple[int, str] | None = None,
) -> ResponseReturnValue:
    who = principal()
    return render_template(
        "console/users.html",
        users=accounts.list_users(get_session(), who),
        reset_form=ResetForm(formdata=None),
        action_form=UserActionForm(formdata=None),
        made=made,
        failed=failed,
        now=utcnow(),
    ), status


@bp.route("/users")
def users() -> ResponseReturnValue:
    require_section("users")
    return _render()


def _new_password(form: ResetForm) -> tuple[str, bool]:
    """The admin's password, or a made one (shown once) when the field is left empty."""
    if form.password.data:
        return form.password.data, False
    return secrets.token_urlsafe(15), True


def _too_short() -> str:
    return str(
        _("A password has at least %(count)d characters.", count=accounts.MIN_PASSWORD_LENGTH)
    )


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
def user_reset(user_id: int) -> ResponseReturnValue:
    require_section("users")
    return _set_password(user_id, reactivate=False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int) -> ResponseReturnValue:
    require_section("users")
    return _set_password(user_id, reactivate=True)


def _set_password(user_id: int, *, reactivate: bool) -> ResponseReturnValue:
    form = ResetForm()
    if not form.validate():
        return _render(422, failed=(user_id, _too_short()))
    password, made = _new_password(form)
    db = get_session()
    operation = accounts.reactivate_user if reactivate else accounts.reset_password
    try:
        user = operation(db, principal(), user_id, password)
    except Invalid:
        db.rollback()
        return _render(422, failed=(user_id, _too_short()))
    db.commit()
    if made:
        return _render(made=(user, password))
    flash(_("The password of %(email)s is set.", email=user.email))
    return redirect(url_for("console.users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> ResponseReturnValue:
    require_section("users")
    UserActionForm()
    db = get_session()
    try:
        user = accounts.deactivate_user(db, principal(), user_id)
    except Invalid:
        db.rollback()
        return _render(422, failed=(user_id, _("You cannot deactivate your own account.")))
    db.commit()
    flash(
        _(
            "%(email)s can no longer sign in; their sessions and calendar links have ended.",
            email=user.email,
        )
    )
    return redirect(url_for("console.users"))
