"""Accounts, for admins: add one, and, each behind a page that asks first, set a password,
deactivate and reactivate."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from service.access import accounts
from service.console.forms_people import ResetForm, UserActionForm, UserForm
from service.console.roles import require_section
from service.console.views_series import office_name
from service.console.web import bp, principal
from service.console.words import describe
from service.models import Office, Resource, User
from service.models.resource import PERSON_KINDS
from service.plumbing.clock import utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid

ACTIONS = ("reset", "reactivate", "deactivate")


def _render(status: int = 200, *, made: tuple[User, str] | None = None) -> ResponseReturnValue:
    return render_template(
        "console/users.html",
        users=accounts.list_users(get_session(), principal()),
        made=made,
        now=utcnow(),
    ), status


@bp.route("/users")
def users() -> ResponseReturnValue:
    require_section("users")
    return _render()


def made_password() -> str:
    """A password of 20 random characters, shown to the admin once."""
    return secrets.token_urlsafe(15)


def _user_form(*, submitted: bool) -> UserForm:
    """The form, filled from the request when `submitted`, offering the offices and people."""
    db = get_session()
    form = UserForm() if submitted else UserForm(formdata=None)
    form.offices.choices = [
        (office.code, office_name(office))
        for office in db.scalars(select(Office).order_by(Office.code))
    ]
    people = db.scalars(
        select(Resource)
        .where(Resource.kind.in_(PERSON_KINDS), Resource.active.is_(True))
        .order_by(Resource.name)
    )
    form.resource.choices = [("", "—")] + [(str(p.id), p.name) for p in people]
    return form


def _render_new(form: UserForm, status: int = 200) -> ResponseReturnValue:
    return render_template("console/user_new.html", form=form), status


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> ResponseReturnValue:
    """Add an account with a made password, shown once to the admin."""
    require_section("users")
    if request.method == "GET":
        return _render_new(_user_form(submitted=False))
    form = _user_form(submitted=True)
    if not form.validate():
        return _render_new(form, 422)
    role = form.role.data or ""
    password, db = made_password(), get_session()
    try:
        user = accounts.create_user(
            db,
            email=form.email.data or "",
            password=password,
            role=role,
            offices=(form.offices.data or []) if role == "coordinator" else [],
            resource_id=int(form.resource.data) if role == "staff" and form.resource.data else None,
            locale=form.locale.data or None,
        )
    except Invalid as exc:
        db.rollback()
        _show_invalid(form, exc)
        return _render_new(form, 422)
    db.commit()
    return _render(201, made=(user, password))


def _show_invalid(form: UserForm, exc: Invalid) -> None:
    field = {"resource_id": form.resource}.get(exc.field) or form._fields.get(exc.field)
    (field or form.email).errors = [describe(exc)]


def _confirm(
    user_id: int, action: str, status: int = 200, error: str | None = None
) -> ResponseReturnValue:
    user = accounts.get_user(get_session(), user_id)
    form = ResetForm(formdata=None) if action != "deactivate" else UserActionForm(formdata=None)
    return render_template(
        "console/user_confirm.html", user=user, action=action, form=form, error=error
    ), status


@bp.route("/users/<int:user_id>/<any(reset, reactivate, deactivate):action>")
def user_confirm(user_id: int, action: str) -> ResponseReturnValue:
    """Ask before setting a password, deactivating or reactivating."""
    require_section("users")
    return _confirm(user_id, action)


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
def user_reset(user_id: int) -> ResponseReturnValue:
    require_section("users")
    return _set_password(user_id, "reset")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int) -> ResponseReturnValue:
    require_section("users")
    return _set_password(user_id, "reactivate")


def _too_short() -> str:
    return str(
        _("A password has at least %(count)d characters.", count=accounts.MIN_PASSWORD_LENGTH)
    )


def _set_password(user_id: int, action: str) -> ResponseReturnValue:
    form = ResetForm()
    if not form.validate():
        return _confirm(user_id, action, 422, _too_short())
    made = form.how.data == "made"
    if not made and not form.password.data:
        words = _("Type the new password, or choose to have one made.")
        return _confirm(user_id, action, 422, str(words))
    password = made_password() if made else form.password.data or ""
    db = get_session()
    operation = accounts.reactivate_user if action == "reactivate" else accounts.reset_password
    try:
        user = operation(db, principal(), user_id, password)
    except Invalid:
        db.rollback()
        return _confirm(user_id, action, 422, _too_short())
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
        return _confirm(user_id, "deactivate", 422, _("You cannot deactivate your own account."))
    db.commit()
    flash(
        _(
            "%(email)s can no longer sign in; their sessions and calendar links have ended.",
            email=user.email,
        )
    )
    return redirect(url_for("console.users"))
