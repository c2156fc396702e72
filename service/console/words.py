"""The domain's refusals in the page's language: its codes and parameters worded through the
console's catalogues, with names instead of ids."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from service.calendar_rules import public_holiday
from service.console.i18n import label
from service.db import get_session
from service.errors import DomainError
from service.models import Beneficiary, Office, Resource

WORDS: dict[str, Any] = {
    "end_before_start": _l("The end must come after the start."),
    "office_closed": _l("%(office)s is closed on %(day)s: %(why)s."),
    "outside_opening_hours": _l("Outside the opening hours of %(office)s."),
    "not_working": _l("%(resource)s does not work at that time."),
    "resource_held": _l("%(resource)s is already booked then (booking %(booking)s)."),
    "resource_away": _l("%(resource)s is away then (time off)."),
    "beneficiary_unknown": _l("No beneficiary with case reference %(reference)s at your offices."),
    "already_enrolled": _l("%(reference)s is already %(status)s."),
    "forbidden": _l("Your role (%(role)s) may not do this."),
    "month_format": _l("A month is written YYYY-MM, for example 2026-03."),
    "month_years": _l("Months fall between %(first)d and %(last)d."),
    "months_reversed": _l("The last month comes before the first."),
    "months_too_many": _l("At most %(count)d months at once."),
    "office_not_offered": _l("Choose one of the offices offered."),
    "interpreter_avoided": _l(
        "%(interpreter)s is on the avoid list of %(beneficiary)s: choose another interpreter."
    ),
    "interpreter_gender": _l(
        "%(beneficiary)s asked for an interpreter who is %(gender)s; %(interpreter)s is not."
    ),
    "interpreter_training": _l("%(interpreter)s is not trained for %(training)s."),
    "interpreter_hours_day": _l(
        "With this session %(interpreter)s would have %(hours)s hours of %(types)s in one day; "
        "the limit is %(limit)s."
    ),
    "interpreter_hours_week": _l(
        "With this session %(interpreter)s would have %(hours)s hours of %(types)s in one week; "
        "the limit is %(limit)s."
    ),
}
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
    if code == "office_closed":
        shown["why"] = closed_words(params["office"], params["day"])
        shown["day"] = format_date(params["day"], "EEEE d MMMM")
    if "office" in params:
        shown["office"] = _office(params["office"])
    if "resource" in params:
        shown["resource"] = _resource(params["resource"])
    if code == "already_enrolled":
        shown["reference"] = _reference(params["beneficiary"])
        shown["status"] = label(params["status"])
    if code == "forbidden":
        shown["role"] = label(params["role"])
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
    template = WORDS.get(exc.code or "")
    if template is None:
        return exc.message
    return str(template % _params(exc.code or "", exc.params))


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
