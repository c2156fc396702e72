"""Phone numbers: parsed and stored in E.164 with phonenumbers, shown masked."""

from __future__ import annotations

import phonenumbers

from service.errors import Invalid


def normalise_phone(field: str, raw: str) -> str:
    """Return `raw` in E.164, reading numbers without a country code as Bulgarian."""
    try:
        number = phonenumbers.parse(raw, "BG")
    except phonenumbers.NumberParseException as exc:
        raise Invalid(field, f"Not a phone number: {exc}.") from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid(field, "Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str | None:
    """Keep the country code and the last three digits: +359*****678."""
    if not e164:
        return None
    return e164[:4] + "*" * max(len(e164) - 7, 0) + e164[-3:]
