"""ISO 639 language codes, as the resources and beneficiaries carry them."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from service.errors import Invalid


@lru_cache(maxsize=512)
def is_language_code(code: str) -> bool:
    """Tell whether `code` is an ISO 639-1 (two letters) or ISO 639-3 (three letters) code."""
    if len(code) == 2 and code.isalpha() and code.islower():
        return pycountry.languages.get(alpha_2=code) is not None
    if len(code) == 3 and code.isalpha() and code.islower():
        return pycountry.languages.get(alpha_3=code) is not None
    return False


def check_language(field: str, code: str) -> str:
    if not is_language_code(code):
        raise Invalid(field, f"Unknown ISO 639 language code: {code!r}.").coded(
            "language_unknown", language=code
        )
    return code


@lru_cache(maxsize=512)
def english_name(code: str) -> str | None:
    """The ISO 639 name of a language code, in English; None when the code is unknown."""
    if not is_language_code(code):
        return None
    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    return str(found.name) if found is not None else None
