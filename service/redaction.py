"""Find a beneficiary's reference and numbers where people copied them, and replace them.

Free-text columns are rewritten in SQL (one UPDATE per column, REPLACE on both back ends);
the audit log's JSON images are read and rewritten here, dropping the values of personal keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, Text, cast, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.models import (
    AuditEntry,
    Booking,
    Closure,
    OutboxMessage,
    Series,
    SmsReply,
    TimeOff,
)

REDACTED = "[erased]"
# Shorter references are not looked for in free text: "A12" would redact unrelated words.
MIN_SECRET = 5
# Keys of an audit image that hold a beneficiary's personal data whenever they appear.
PERSONAL_KEYS = frozenset({"case_reference", "phone", "guardian_phone", "to", "from_phone", "body"})
# Free text a person typed, where a reference or number may have been copied.
FREE_TEXT: tuple[InstrumentedAttribute[str | None] | InstrumentedAttribute[str], ...] = (
    Booking.notes,
    Booking.cancel_reason,
    Booking.location,
    Booking.remote_link,  # a phone booking's number to call may be theirs
    Series.title,
    Series.description,
    TimeOff.reason,
    Closure.reason,
    OutboxMessage.body,
    SmsReply.body,
)


def spellings(e164: str) -> set[str]:
    """The E.164 form and the national forms a person may have typed (0888 123 456)."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return {e164, national, national.replace(" ", ""), e164.lstrip("+")}


WITHHELD_NUMBER = "[number withheld]"


def redact_phone_numbers(text: str, keep: Iterable[str] = ()) -> str:
    """Replace every valid phone number in `text` (E.164 or Bulgarian national spelling) by
    `[number withheld]`, except the E.164 numbers in `keep`."""
    kept = set(keep)
    if not any(c.isdigit() for c in text):
        return text
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, "BG"))):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in kept:
            text = text[: match.start] + WITHHELD_NUMBER + text[match.end :]
    return text


def replace_secrets(text: str, secrets: Iterable[str], replacement: str) -> str:
    """Replace each secret (longest first) in `text` by `replacement`."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, replacement)
    return text


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _scrub(value: Any, secrets: set[str]) -> Any:
    """Return a JSON value without personal keys' values and without the secrets in strings."""
    if isinstance(value, dict):
        return {
            key: None if key in PERSONAL_KEYS and item is not None else _scrub(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, str):
        return _redact(value, secrets)
    return value


def _like_any(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], secrets: Iterable[str]
) -> ColumnElement[bool]:
    patterns = []
    for secret in secrets:
        escaped = secret.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(column.like(f"%{escaped}%", escape="\\"))
    return or_(*patterns)


def redact_free_text(session: Session, secrets: set[str]) -> int:
    """Replace the secrets in every free-text column, one UPDATE per column."""
    changed = 0
    ordered = sorted(secrets, key=len, reverse=True)
    for column in FREE_TEXT:
        replaced: ColumnElement[Any] = column.expression
        for secret in ordered:
            replaced = func.replace(replaced, secret, REDACTED)
        length = getattr(column.type, "length", None)
        if length:  # "[erased]" may be longer than what it replaces
            replaced = func.substr(replaced, 1, length)
        result = session.execute(
            update(column.class_)
            .where(_like_any(column, ordered))
            .values({column.key: replaced})
            .execution_options(synchronize_session=False)
        )
        changed += int(result.rowcount)  # type: ignore[attr-defined]
    return changed


def scrub_audit(session: Session, beneficiary_id: int, secrets: set[str]) -> int:
    """Scrub the images that mention the beneficiary's data; the rows themselves stay."""
    # JSON text escapes non-ASCII characters, so look for both spellings.
    spelled = secrets | {json.dumps(s)[1:-1] for s in secrets}
    mentions: list[ColumnElement[bool]] = [
        (AuditEntry.entity == "beneficiary") & (AuditEntry.entity_id == beneficiary_id)
    ]
    if spelled:
        mentions += [
            _like_any(cast(AuditEntry.before, Text), spelled),
            _like_any(cast(AuditEntry.after, Text), spelled),
        ]
    entries = session.scalars(select(AuditEntry).where(or_(*mentions)))
    scrubbed = 0
    for entry in entries:
        before, after = _scrub(entry.before, secrets), _scrub(entry.after, secrets)
        if (before, after) != (entry.before, entry.after):
            entry.before, entry.after = before, after
            scrubbed += 1
    return scrubbed
