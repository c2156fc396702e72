"""The console blueprint and what every view shares: who is signed in, CSRF, error pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from service.access import accounts
from service.access.auth import Principal
from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.console.words import describe
from service.plumbing.db import get_session
from service.plumbing.errors import DomainError, StaleChange
from service.plumbing.text_input import ROW_ID_MAX, whole_number

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
csrf = CSRFProtect()
PUBLIC = {"console.login", "console.static"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def _sign_in_and_csrf() -> ResponseReturnValue | None:
    if request.method not in SAFE_METHODS:
        csrf.protect()
    user_id, stamp = session.get("uid"), session.get("stamp")
    user = None
    if isinstance(user_id, int) and isinstance(stamp, str):
        user = accounts.signed_in_user(get_session(), user_id, stamp)
    if user is not None:
        g.console_user = user
        g.console_locale = user.locale
        g.console_principal = accounts.principal_of(user)
    elif request.endpoint not in PUBLIC:
        session.pop("uid", None)
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def _no_store(response):  # type: ignore[no-untyped-def]
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def principal() -> Principal:
    found: Principal | None = g.get("console_principal")
    if found is None:
        abort(401)
    return found


def actor() -> Actor:
    who = principal()
    return Actor(name=who.name, may_override=False)


def policy() -> BookingPolicy:
    return BookingPolicy.from_config(current_app.config)


def page_number() -> int:
    """The `?page=` of a listing: 1 when absent, 400 unless a whole number from 1."""
    value = request.args.get("page")
    if not value:
        return 1
    page = whole_number(value, 1, ROW_ID_MAX)
    if page is None:
        abort(400, "The page is a whole number from 1.")
    return page


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> ResponseReturnValue:
    get_session().rollback()
    return render_template(
        "console/error.html", status=exc.status, message=describe(exc)
    ), exc.status


@bp.errorhandler(StaleDataError)
def _changed_meanwhile(exc: StaleDataError) -> ResponseReturnValue:
    return _domain_error(StaleChange())


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    return render_template("console/error.html", status=status, message=exc.description), status


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return render_template("console/error.html", status=400, message=exc.description), 400


@bp.app_template_global()
def signed_in() -> bool:
    return g.get("console_principal") is not None
