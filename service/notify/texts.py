"""Render SMS texts in the recipient's language, with Babel dates in local office time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import localedata
from babel.dates import format_date, format_skeleton

from service.notify.catalogue import CATALOGUE
from service.notify.encoding import Encoding, sms_parts
from service.notify.keywords import classify_inbound

__all__ = [
    "KINDS",
    "RenderedSms",
    "babel_locale",
    "classify_inbound",
    "help_reply",
    "render_sms",
    "resolve_language",
    "stop_confirmation",
]

KINDS = (
    "confirmation",
    "reminder",
    "reschedule",
    "cancellation",
    "series_cancellation",
    "enrolment",
    "waitlist_promotion",
    "staff_notice",
)
FALLBACK_LANGUAGES = ("en", "bg")
# Weekday, day, month and year spelled out is hardest to misread; the shorter skeleton (no
# year, abbreviated names in some locales) is used only when the full one would need a third
# segment.
DATE_FORMAT = "full"
SHORT_DATE_SKELETON = "MMMMEd"
MAX_SEGMENTS = 2
TIME_SKELETON = "Hm"

# Our language codes -> CLDR locales to try, nearest first (checked with localedata.exists).
_LOCALE_CANDIDATES: dict[str, tuple[str, ...]] = {
    "prs": ("prs", "fa_AF", "fa"),
    "kmr": ("kmr", "ku"),
    "ckb": ("ckb", "ku", "ar"),
}
# Other spellings of the languages we have texts for.
_ALIASES = {"ku": "kmr", "ku_latn": "kmr", "ku_arab": "ckb", "fa_af": "prs", "ua": "uk"}


@dataclass(frozen=True)
class RenderedSms:
    body: str
    language_used: str
    encoding: Encoding
    segments: int


def resolve_language(language: str) -> str:
    """Pick the catalogue language for a tag like "fa-AF" or "RU", falling back to en, bg."""
    tag = language.strip().lower().replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        candidate = _ALIASES.get(candidate, candidate)
        if candidate in CATALOGUE:
            return candidate
    return next(lang for lang in FALLBACK_LANGUAGES if lang in CATALOGUE)


def babel_locale(language: str) -> str:
    for candidate in _LOCALE_CANDIDATES.get(language, (language,)):
        if localedata.exists(candidate):
            return candidate
    return "en"


def _text(language: str, key: str) -> str:
    for lang in (language, *FALLBACK_LANGUAGES):
        text = CATALOGUE.get(lang, {}).get(key)
        if text is not None:
            return text
    raise KeyError(key)


def render_sms(
    kind: str,
    language: str,
    starts_at: datetime,
    place: str,
    place_code: str,
    discreet: bool,
    tz: str = "Europe/Sofia",
    *,
    sender: str | None = None,
    previous: datetime | None = None,
) -> RenderedSms:
    """Fill the template for `kind`; `sender` (e.g. an office name) prefixes non-discreet texts.

    A change notice given `previous`, the start before the move, names it too.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind: {kind!r}")
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError("starts_at must be timezone-aware")
    lang = resolve_language(language)
    locale = babel_locale(lang)
    local = starts_at.astimezone(ZoneInfo(tz))
    if discreet:
        key = f"discreet_{kind}" if f"discreet_{kind}" in CATALOGUE[lang] else "discreet"
        template, prefix = _text(lang, key), ""
    else:
        template, prefix = _text(lang, kind), f"{sender}: " if sender else ""
    values = {
        "time": format_skeleton(TIME_SKELETON, local, locale=locale),
        "place": place,
        "code": place_code,
    }
    if kind == "reschedule" and previous is not None:
        before = previous.astimezone(ZoneInfo(tz))
        was = " ".join(
            format_skeleton(skeleton, before, locale=locale)
            for skeleton in (SHORT_DATE_SKELETON, TIME_SKELETON)
        )
        template += " " + _text(lang, "moved_from").replace("{old}", was)
    dates = (
        format_date(local, DATE_FORMAT, locale=locale),
        format_skeleton(SHORT_DATE_SKELETON, local, locale=locale),
    )
    for date in dates:
        body = prefix + template.format_map({**values, "date": date})
        parts = sms_parts(body)
        if parts.segments <= MAX_SEGMENTS:
            break
    return RenderedSms(body, lang, parts.encoding, parts.segments)


def help_reply(language: str) -> str:
    """Answer to an inbound HELP; names neither the organisation nor the service."""
    return _text(resolve_language(language), "help")


def stop_confirmation(language: str) -> str:
    return _text(resolve_language(language), "stop")
