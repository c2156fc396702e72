"""Find a beneficiary's reference and numbers where people copied them, and replace them.

A `Secrets` knows one person's numbers (E.164) and case reference and finds them in text
however they were spelled: numbers with any grouping, separators, trunk or international
prefix (`0887 123 45 6`, `(0887) 123456`, `00359 887 123 456`, `tel:+359887123456`), found
both by phonenumbers' matcher (compared by E.164) and by a pattern of the number's digits with
separators between them; the reference in any letter case and with or without its separators
(`ab-123`, `AB 123`).

Rows are chosen in SQL, then rewritten here.  A row is read when it belongs to the person (their
bookings, series, messages, audit entries) or when its text, lower-cased and stripped of the
separators people put in numbers and references, contains the number's national digits or the
reference's letters and digits: a `LIKE '%…%'` over the same columns the old exact-spelling
search scanned, so the cost is one sequential scan per table, and only the few matching rows
reach Python.  Digits in other scripts (Arabic-Indic) are found in the person's own rows only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, Text, cast, false, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.directory.phones import find_numbers, is_callable, replace_spans
from service.models import (
    AuditEntry,
    Booking,
    Closure,
    OutboxMessage,
    Series,
    SeriesException,
    SmsReply,
    TimeOff,
)

REDACTED = "[erased]"
# Shorter references are not looked for in free text: "A12" would redact unrelated words.
MIN_SECRET = 5
# Keys of an audit image that hold a beneficiary's personal data whenever they appear.
PERSONAL_KEYS = frozenset({"case_reference", "phone", "guardian_phone", "to", "from_phone", "body"})
# Free text a person typed, where a reference or number may have been copied, by table.
FREE_TEXT: tuple[tuple[type[Any], tuple[InstrumentedAttribute[Any], ...]], ...] = (
    # remote_link: a phone booking's number to call may be theirs
    (
        Booking,
        (
            Booking.notes,
            Booking.cancel_reason,
            Booking.location,
            Booking.remote_link,
            Booking.language_override_reason,
            Booking.interpreter_override_reason,
        ),
    ),
    (Series, (Series.title, Series.description)),
    (SeriesException, (SeriesException.reason,)),
    (TimeOff, (TimeOff.reason,)),
    (Closure, (Closure.reason,)),
    (OutboxMessage, (OutboxMessage.body,)),
    (SmsReply, (SmsReply.body,)),
)
# What people put between the digits of a number or the parts of a reference.
SEPARATORS = " \t\r\n\u00a0\u2007\u202f-\u2010\u2011\u2012\u2013\u2014\u2015\u2212./()[]~_,:"
_SEPARATOR = "[" + re.escape(SEPARATORS) + "]*"


def _number_pattern(e164: str) -> re.Pattern[str]:
    """Digits of the national number, each optionally apart, after an optional prefix."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.national_significant_number(number)
    country = str(number.country_code)
    prefix = rf"(?:(?:\+|00)?{_SEPARATOR}{country}{_SEPARATOR})?(?:0{_SEPARATOR})?"
    digits = _SEPARATOR.join(national)
    return re.compile(rf"(?<!\d){prefix}{digits}(?!\d)")


def _reference_parts(reference: str) -> list[str]:
    return re.findall(r"[^\W_]+", reference.casefold())


WITHHELD_NUMBER = "[number withheld]"


def redact_phone_numbers(text: str, keep: Iterable[str] = ()) -> str:
    """Replace every phone number in `text`, however spelled, by `[number withheld]`, except
    the E.164 numbers in `keep`."""
    kept = set(keep)
    spans = [
        (m.start, m.end)
        for m in find_numbers(text)
        if is_callable(m)
        and phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164) not in kept
    ]
    return replace_spans(text, spans, WITHHELD_NUMBER)


@dataclass(frozen=True)
class Secrets:
    """One person's numbers (E.164) and case reference, to be found in any spelling."""

    numbers: frozenset[str]
    reference: str | None
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = [_number_pattern(n) for n in sorted(self.numbers)]
        if self.reference and len(self.reference) >= MIN_SECRET:
            parts = _reference_parts(self.reference)
            patterns.append(re.compile(re.escape(self.reference), re.IGNORECASE))
            if parts:
                joined = _SEPARATOR.join(re.escape(p) for p in parts)
                patterns.append(re.compile(joined, re.IGNORECASE))
        object.__setattr__(self, "_patterns", tuple(patterns))

    @classmethod
    def of(cls, numbers: Iterable[str], reference: str | None) -> Secrets:
        long_enough = reference if reference and len(reference) >= MIN_SECRET else None
        return cls(frozenset(numbers), long_enough)

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def redact(self, text: str, replacement: str = REDACTED) -> str:
        """Return text with every spelling of the numbers and the reference replaced."""
        if self.numbers:
            theirs = [
                (m.start, m.end)
                for m in find_numbers(text)
                if phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                in self.numbers
            ]
            text = replace_spans(text, theirs, replacement)
        for pattern in self._patterns:
            text = pattern.sub(replacement, text)
        return text

    def needles(self) -> list[str]:
        """What the text of a row holding a secret contains once lower-cased and stripped."""
        found = [
            phonenumbers.national_significant_number(phonenumbers.parse(n))
            for n in sorted(self.numbers)
        ]
        if self.reference:
            found.append("".join(_reference_parts(self.reference)))
        return [n for n in found if n]


def _stripped(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: the text lower-cased, without the separators (REPLACE on both back ends)."""
    stripped = func.lower(expression)
    for separator in SEPARATORS:
        stripped = func.replace(stripped, separator, "")
    return stripped


def _like(expression: ColumnElement[Any], needle: str) -> ColumnElement[bool]:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return expression.like(f"%{escaped}%", escape="\\")


def _mentions(expression: ColumnElement[Any], secrets: Secrets) -> ColumnElement[bool]:
    found = [_like(_stripped(expression), needle) for needle in secrets.needles()]
    if secrets.reference:  # as typed, whatever punctuation the reference itself has
        found.append(_like(func.lower(expression), secrets.reference.lower()))
    return or_(*found) if found else false()


@dataclass
class Redacted:
    """Which rows the redaction changed: their count, and the bookings and series to re-render."""

    rows: int = 0
    booking_ids: set[int] = field(default_factory=set)
    series_ids: set[int] = field(default_factory=set)


def redact_free_text(
    session: Session, secrets: Secrets, own: Mapping[type[Any], Sequence[int]]
) -> Redacted:
    """Replace the secrets in every free-text column.

    `own` lists, per table, the ids of rows that belong to the person: those are read
    whatever their text holds.  The others are read when SQL sees a secret's digits or
    letters in them.
    """
    redacted = Redacted()
    for model, columns in FREE_TEXT:
        wanted = [_mentions(column.expression, secrets) for column in columns]
        ids = own.get(model) or ()
        if ids:
            wanted.append(model.id.in_(ids))
        rows = session.execute(select(model.id, *columns).where(or_(*wanted))).all()
        for row in rows:
            values = {}
            for column, value in zip(columns, row[1:], strict=True):
                if not value:
                    continue
                new = secrets.redact(value)
                length = getattr(column.type, "length", None)
                if length:  # "[erased]" may be longer than what it replaces
                    new = new[:length]
                if new != value:
                    values[column.key] = new
            if not values:
                continue
            session.execute(
                update(model)
                .where(model.id == row.id)
                .values(values)
                .execution_options(synchronize_session=False)
            )
            redacted.rows += 1
            if model is Booking:
                redacted.booking_ids.add(row.id)
            elif model is Series:
                redacted.series_ids.add(row.id)
    return redacted


def _scrub(value: Any, secrets: Secrets) -> Any:
    """Return a JSON value without personal keys' values and without the secrets in strings."""
    if isinstance(value, dict):
        return {
            key: None if key in PERSONAL_KEYS and item is not None else _scrub(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, str):
        return secrets.redact(value)
    return value


def scrub_audit(session: Session, secrets: Secrets, own: Mapping[str, Sequence[int]]) -> int:
    """Scrub the images that mention the beneficiary's data; the rows themselves stay.

    `own` lists, per audited entity ("beneficiary", "booking", …), the ids that belong to
    the person: their entries are read whatever they hold.
    """
    mentions: list[ColumnElement[bool]] = [
        (AuditEntry.entity == entity) & AuditEntry.entity_id.in_(ids)
        for entity, ids in own.items()
        if ids
    ]
    if secrets.needles():
        mentions += [
            _mentions(cast(AuditEntry.before, Text), secrets),
            _mentions(cast(AuditEntry.after, Text), secrets),
        ]
    if not mentions:
        return 0
    entries = session.scalars(select(AuditEntry).where(or_(*mentions)))
    scrubbed = 0
    for entry in entries:
        before, after = _scrub(entry.before, secrets), _scrub(entry.after, secrets)
        if (before, after) != (entry.before, entry.after):
            entry.before, entry.after = before, after
            scrubbed += 1
    return scrubbed
