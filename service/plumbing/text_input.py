"""Raw text from requests: what no text column can hold, and whole numbers read strictly.

PostgreSQL refuses a NUL character in text and no database can store a lone UTF-16 surrogate
(JSON's "\\ud800"), so such text is refused where it enters, naming the field. Whole numbers are
read from ASCII digits only: `"²".isdigit()` is true but `int("²")` fails, and `"٣"` (an
Arabic-Indic three) is a digit to `int()` but no number a form or URL of ours ever writes.
"""

from __future__ import annotations

ROW_ID_MAX = 2**31 - 1  # PostgreSQL integer: a larger id would overflow the query
FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates and instants a request may give
UNSTORABLE = "Text may not contain NUL characters or unpaired surrogates."


def unstorable(text: str) -> bool:
    """True when `text` holds a NUL character or an unpaired surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """Return `text` as an int when it is ASCII digits within [low, high], else None."""
    if not text or len(text) > 20 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None
