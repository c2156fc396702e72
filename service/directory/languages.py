"""ISO 639 language codes, as the resources and beneficiaries carry them."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from service.plumbing.errors import Invalid

# A language, then a script (ku-Latn), a region (ar-SY, es-419) or both (sr-Latn-RS).
_DIALECT = re.compile(r"^([a-z]{2,3})(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")


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


def check_dialect(field: str, tag: str) -> str:
    """Return a BCP 47 dialect tag in its usual case, refusing one without script or region."""
    parts = tag.strip().replace("_", "-").split("-")
    canonical = "-".join(
        [parts[0].lower()] + [p.title() if len(p) == 4 else p.upper() for p in parts[1:]]
    )
    match = _DIALECT.match(canonical)
    if match is None or not (match.group(2) or match.group(3)):
        raise Invalid(
            field,
            f"Not a dialect tag: {tag!r}; give a language with a region or script, "
            "such as ar-SY, ar-IQ or ku-Latn.",
        )
    check_language(field, match.group(1))
    return canonical


def dialect_language(tag: str) -> str:
    """The language of a dialect tag: ar for ar-SY."""
    return tag.split("-", 1)[0]
