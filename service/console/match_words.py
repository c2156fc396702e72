"""Interpreter matching in the page's language: dialects, trainings and the ranking's reasons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import format_decimal, get_locale, lazy_pgettext
from flask_babel import gettext as _

from service.console.i18n import language_name
from service.plumbing.clock import to_sofia

# The dialects interpreters in Bulgaria most often offer, by the adjective a coordinator uses.
DIALECTS = {
    "ar-SY": lazy_pgettext("dialect", "Syrian Arabic"),
    "ar-IQ": lazy_pgettext("dialect", "Iraqi Arabic"),
    "ar-SD": lazy_pgettext("dialect", "Sudanese Arabic"),
    "ar-EG": lazy_pgettext("dialect", "Egyptian Arabic"),
    "ar-MA": lazy_pgettext("dialect", "Moroccan Arabic"),
    "ku-Latn": lazy_pgettext("dialect", "Kurmanji (Latin script)"),
    "fa-AF": lazy_pgettext("dialect", "Afghan Persian"),
    "fa-IR": lazy_pgettext("dialect", "Iranian Persian"),
}
TRAININGS = {
    "legal_procedure": lazy_pgettext("training", "legal procedures"),
    "psychological": lazy_pgettext("training", "psychological sessions"),
    "children": lazy_pgettext("training", "work with children"),
}


def dialect_name(tag: str) -> str:
    """Name a dialect tag: "Syrian Arabic" for ar-SY, else the language and its region."""
    if tag in DIALECTS:
        return str(DIALECTS[tag])
    language, _sep, rest = tag.partition("-")
    locale = get_locale()
    region = locale.territories.get(rest, rest) if locale and len(rest) != 4 else rest
    return f"{language_name(language)} ({region})"


def training_name(code: str) -> str:
    return str(TRAININGS.get(code, code.replace("_", " ")))


def _day(iso: str) -> str:
    return to_sofia(datetime.fromisoformat(iso)).strftime("%d.%m.%Y")


def reason_words(reason: Mapping[str, Any]) -> str:
    """Word one of the ranking's reasons (service/interpreters/interpreter_ranking.py)."""
    return str(_reason_words(reason))


def _reason_words(reason: Mapping[str, Any]) -> object:
    code = reason["code"]
    if code == "dialect_match":
        return _("speaks %(dialect)s", dialect=dialect_name(reason["dialect"]))
    if code == "other_dialect":
        return _(
            "speaks %(dialect)s, not %(wanted)s",
            dialect=dialect_name(reason["dialect"]),
            wanted=dialect_name(reason["wanted"]),
        )
    if code == "served_before":
        return _("worked with the beneficiary on %(day)s", day=_day(reason["last"]))
    if code == "month_hours":
        hours = format_decimal(reason["hours"], format="#,##0.#")
        return _("%(hours)s h this month", hours=hours)
    if code == "same_office":
        return _("already at this office that day")
    if code == "must_travel":
        return _("comes from another office that day")
    return code
