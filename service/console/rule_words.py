"""A series' weekly rule in words: "всеки понеделник и сряда, 12 седмици, до 30 юни"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date, get_day_names
from babel.lists import format_list

from service.plumbing.errors import Invalid
from service.series.recurrence import split_rule, until_wall_time, wall_starts

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FEMININE_BG = frozenset({"WE", "SA", "SU"})  # сряда, събота, неделя: "всяка"

WORDS: dict[str, dict[str, str]] = {
    "en": {"every": "every {days}", "every_day": "every day", "until": "until {day}"},
    "bg": {
        "every": "всеки {days}",
        "every_f": "всяка {days}",
        "every_day": "всеки ден",
        "until": "до {day}",
    },
}
COUNTED: dict[str, dict[str, tuple[str, str]]] = {  # one, many
    "en": {"weeks": ("{n} week", "{n} weeks"), "dates": ("{n} date", "{n} dates")},
    "bg": {"weeks": ("{n} седмица", "{n} седмици"), "dates": ("{n} дата", "{n} дати")},
}


def _count(lang: str, key: str, n: int) -> str:
    one, many = COUNTED[lang][key]
    return (one if n == 1 else many).format(n=n)


def _until_text(until: date, first: date, language: str) -> str:
    pattern = "d MMMM" if until.year == first.year else "d MMMM y"
    return format_date(until, pattern, locale=language)


def rule_in_words(rule: str, first: datetime, language: str) -> str | None:
    """Say a daily or weekly rule in Bulgarian or English; None for any other rule.

    `first` is the first occurrence's Sofia wall time. A last date a whole number of weeks
    after it is also said as that number of weeks, as the planner asked for it.
    """
    lang = "bg" if language.startswith("bg") else "en"
    words = WORDS[lang]
    try:
        parts = split_rule(rule)
    except Invalid:
        return None
    if parts.get("INTERVAL", "1") != "1" or set(parts) - {
        "FREQ",
        "BYDAY",
        "COUNT",
        "UNTIL",
        "WKST",
    }:
        return None
    if parts["FREQ"] == "DAILY" and "BYDAY" not in parts:
        said = words["every_day"]
    elif parts["FREQ"] == "WEEKLY":
        codes = parts.get("BYDAY", WEEKDAY_CODES[first.weekday()]).split(",")
        if any(code not in WEEKDAY_CODES for code in codes):
            return None
        codes = sorted(codes, key=WEEKDAY_CODES.index)
        names = get_day_names("wide", locale=lang)
        days = format_list([names[WEEKDAY_CODES.index(c)] for c in codes], locale=lang)
        key = "every_f" if lang == "bg" and codes[0] in FEMININE_BG else "every"
        said = words[key].format(days=days)
    else:
        return None
    pieces = [said]
    if "COUNT" in parts and parts["COUNT"].isdigit():
        pieces.append(_count(lang, "dates", int(parts["COUNT"])))
    elif "UNTIL" in parts:
        try:
            until = until_wall_time(parts["UNTIL"])
        except (Invalid, ValueError):
            return None
        span = until.date() - first.date() + timedelta(days=1)
        if parts["FREQ"] == "WEEKLY" and span.days > 0 and span.days % 7 == 0:
            pieces.append(_count(lang, "weeks", span.days // 7))
        try:
            day = wall_starts(rule, first)[-1].date()  # the last date the rule meets
        except Invalid:
            day = until.date()
        pieces.append(words["until"].format(day=_until_text(day, first.date(), lang)))
    return ", ".join(pieces)
