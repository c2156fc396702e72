"""Phone number checks and masking for logs."""

from __future__ import annotations

import re

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_NUMBER_IN_TEXT = re.compile(r"\+?[0-9][0-9 ()-]{5,}[0-9]")


def is_e164(number: str) -> bool:
    return _E164.fullmatch(number) is not None


def mask_phone(number: str) -> str:
    """Keep the '+', the first three and last three digits; star the rest."""
    digits = [c for c in number if c.isdigit()]
    prefix = "+" if number.startswith("+") else ""
    if len(digits) <= 6:
        return prefix + "*" * max(len(digits) - 2, 0) + "".join(digits[-2:])
    middle = "*" * (len(digits) - 6)
    return prefix + "".join(digits[:3]) + middle + "".join(digits[-3:])


def mask_numbers_in(text: str) -> str:
    """Mask every phone-number-like run inside free text (e.g. provider error messages)."""
    return _NUMBER_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
