"""The domain's refusals in the page's language: its codes and parameters worded through the
console's catalogues, with names instead of ids."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, get_locale
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
}


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
    return shown


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
