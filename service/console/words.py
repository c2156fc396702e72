"""The domain's refusals in the page's language: its codes and parameters worded through the
console's catalogues, with names instead of ids."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from service.booking.calendar_rules import public_holiday
from service.console.i18n import label, language_name, message_label
from service.console.refusal_words import WORDS
from service.interpreters.interpreter_rules import Breach
from service.models import Beneficiary, Office, Resource
from service.plumbing.db import get_session
from service.plumbing.errors import DomainError

# A beneficiary's wish for the interpreter's gender, and the trainings a session may ask.
GENDER_WORDS = {"female": _l("a woman"), "male": _l("a man")}
TRAINING_WORDS = {
    "children": _l("work with children"),
    "psychological": _l("psychological sessions"),
    "legal_procedure": _l("legal procedures"),
}


# The interpreter rules a booking or enrolment was allowed to break, as its page names them.
OVERRIDDEN_WORDS = {
    "gender": _l("the interpreter's gender"),
    "training": _l("the interpreter's training"),
    "hours_day": _l("the interpreter's hours in a day"),
    "hours_week": _l("the interpreter's hours in a week"),
}


def overridden_words(rules: str | None) -> str:
    """The rules overridden (comma-separated codes) in the page's language."""
    codes = (rules or "").split(",")
    return ", ".join(str(OVERRIDDEN_WORDS.get(code, code)) for code in codes if code)


def office_name_of(code: str) -> str:
    """An office's name in the page's language, from its code."""
    return _office(code)


def _office(code: str) -> str:
    office = get_session().scalar(select(Office).where(Office.code == code))
    if office is None:
        return code
    return office.name_en if str(get_locale()) == "en" else office.name_bg


def _resource(resource_id: int) -> str:
    resource = get_session().get(Resource, resource_id)
    return resource.name if resource is not None else str(resource_id)


def _reference(beneficiary_id: int) -> str:
    person = get_session().get(Beneficiary, beneficiary_id)
    return person.case_reference if person is not None else str(beneficiary_id)


def _params(code: str, params: dict[str, Any]) -> dict[str, Any]:
    shown = dict(params)
    day = params.get("day")
    if isinstance(day, str):  # a clash from a plan keeps its day as ISO text
        day = date.fromisoformat(day)
    if code == "office_closed" and day is not None:
        shown["why"] = closed_words(params["office"], day)
        shown["day"] = format_date(day, "EEEE d MMMM")
    elif day is not None:
        shown["day"] = format_date(day, "d MMMM y")
    if code == "closure_on_holiday" and day is not None:
        shown["holiday"] = public_holiday(day, str(get_locale())) or params["holiday"]
    if "office" in params:
        shown["office"] = _office(params["office"])
    if "resource" in params:
        shown["resource"] = _resource(params["resource"])
    if "beneficiary" in params and not code.startswith("interpreter_"):
        shown["reference"] = _reference(params["beneficiary"])  # an id; the rules give references
    if "hours" in params:
        shown["hours"] = f"{params['hours']:g}"
    if "language" in params:
        shown["language"] = language_name(params["language"])
    sms = code.startswith(("resend_", "handled_"))
    for key in ("status", "target", "role"):
        if key in params:
            shown[key] = message_label(params[key]) if sms else label(params[key])
    if code.startswith("interpreter_"):
        _interpreter_params(params, shown)
    return shown


def _interpreter_params(params: dict[str, Any], shown: dict[str, Any]) -> None:
    """Word the interpreter rules' parameters: genders, trainings, types and hours."""
    if "gender" in params:
        shown["gender"] = GENDER_WORDS.get(params["gender"], params["gender"])
    if "training" in params:
        shown["training"] = TRAINING_WORDS.get(params["training"], params["training"])
    if "types" in params:
        shown["types"] = ", ".join(str(label(t)) for t in params["types"])
    if "hours" in params:
        shown["hours"] = format_decimal(params["hours"], "#,##0.##")


def describe(exc: DomainError) -> str:
    """The refusal in the page's language when its code is known, else the API's words."""
    return word(exc.code, exc.params, exc.message)


def breach_words(breach: Breach) -> str:
    """One interpreter rule a plan would break, in the page's language."""
    params = {"interpreter": breach.interpreter_name, "beneficiary": breach.beneficiary_reference}
    return word(f"interpreter_{breach.rule}", params | breach.params, breach.message())


def word(code: str | None, params: dict[str, Any], fallback: str) -> str:
    """A coded refusal in the page's language, or `fallback` when the code has no words."""
    template = WORDS.get(code or "")
    if template is None:
        return fallback
    return str(template % _params(code or "", params))


def closed_words(office_code: str, day: date) -> str:
    """Why an office is closed on `day`, in the page's language: the holiday's name, the
    closure's reason, or that it does not open that weekday."""
    holiday = public_holiday(day, str(get_locale()))
    if holiday:
        return holiday
    office = get_session().scalar(select(Office).where(Office.code == office_code))
    closure = next((c for c in office.closures if c.day == day), None) if office else None
    if closure is not None:
        return closure.reason
    return str(_("no opening hours that day"))
