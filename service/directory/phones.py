"""Phone numbers: parsed and stored in E.164 with phonenumbers, shown masked."""

from __future__ import annotations

import phonenumbers

from service.plumbing.errors import Invalid


def normalise_phone(field: str, raw: str) -> str:
    """Return `raw` in E.164, reading numbers without a country code as Bulgarian."""
    try:
        number = phonenumbers.parse(raw, "BG")
    except phonenumbers.NumberParseException as exc:
        raise Invalid(field, f"Not a phone number: {exc}.").coded("phone_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid(field, "Not a valid phone number.").coded("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str | None:
    """Keep the country code and the last three digits: +359*****678."""
    if not e164:
        return None
    return e164[:4] + "*" * max(len(e164) - 7, 0) + e164[-3:]


# A run of digits this short is never a whole number anyone could call back (quick skip).
MIN_DIGITS = 6


def _digit_count(text: str) -> int:
    return sum(1 for c in text if c.isdigit())


def is_callable(match: phonenumbers.PhoneNumberMatch) -> bool:
    """Tell whether a candidate found in free text is a phone number worth hiding.

    A number valid for its country with at least 8 digits as typed (0887 123 45 6, 02 987
    6543, +44 20 7946 0958), or at least 9 digits typed with a trunk prefix or an
    international one even if not valid.  Case references (BG-2026-77341), meeting ids in
    links and short dates or times are left alone.
    """
    raw = match.raw_string
    digits = _digit_count(raw)
    if phonenumbers.is_valid_number(match.number):
        return digits >= 8
    return digits >= 9 and raw.lstrip("([ ").startswith(("+", "0"))


def find_numbers(text: str, region: str = "BG") -> list[phonenumbers.PhoneNumberMatch]:
    """Return every phone number phonenumbers can find in text, however it was spelled.

    Leniency POSSIBLE, so that spellings without a trunk prefix (887 123 456) or with odd
    grouping (0887 123 45 6, 088/712-3456) are found; callers decide what to do with them.
    """
    if _digit_count(text) < MIN_DIGITS:
        return []
    return list(
        phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    )


def replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """Replace the given (start, end) spans of text, which do not overlap, by placeholder."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + placeholder + text[end:]
    return text


def hide_numbers(text: str, placeholder: str) -> str:
    """Replace every phone number in free text by placeholder (feeds show no number, ever)."""
    found = [(m.start, m.end) for m in find_numbers(text) if is_callable(m)]
    return replace_spans(text, found, placeholder) if found else text
