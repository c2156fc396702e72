"""The language rule: an interpreter serves beneficiaries only if each shares a language.

A beneficiary speaks their preferred language and any other languages listed for them. A
booking (or an enrolment in a class) that breaks the rule is refused unless it carries an
override with a reason, which is stored on the booking and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.models import Beneficiary, Resource
from service.plumbing.errors import Invalid

REASON_LENGTH = 500


class LanguageMismatch(Invalid):
    """An interpreter shares no language with a beneficiary (the console translates it)."""

    def __init__(self, field: str, interpreter: Resource, beneficiary: Beneficiary) -> None:
        super().__init__(
            field,
            f"Interpreter {interpreter.id} ({', '.join(interpreter.languages) or 'no language'}) "
            f"shares no language with beneficiary {beneficiary.id} "
            f"({', '.join(sorted(beneficiary.spoken_languages))}); choose another interpreter, "
            "or set language_override with a reason.",
        )
        self.interpreter_name = interpreter.name
        self.interpreter_languages = list(interpreter.languages)
        self.beneficiary_reference = beneficiary.case_reference
        self.beneficiary_languages = sorted(beneficiary.spoken_languages)


@dataclass(frozen=True)
class LanguageOverride:
    """A request to book despite the language rule; `reason` is required when `override`."""

    override: bool = False
    reason: str | None = None

    def checked(self) -> LanguageOverride:
        """Return the override with its reason trimmed, refusing an override without one."""
        reason = (self.reason or "").strip() or None
        if not self.override:
            if reason is not None:
                raise Invalid(
                    "language_override_reason", "Give a reason only with language_override."
                ).coded("language_reason_alone")
            return LanguageOverride()
        if reason is None:
            raise Invalid(
                "language_override_reason", "Say why the language rule is overridden."
            ).coded("language_reason_missing")
        if len(reason) > REASON_LENGTH:
            raise Invalid("language_override_reason", f"At most {REASON_LENGTH} characters.").coded(
                "text_too_long", count=REASON_LENGTH
            )
        return LanguageOverride(True, reason)


def qualifies(interpreter: Resource, beneficiaries: Iterable[Beneficiary]) -> bool:
    """Tell whether the interpreter shares a language with each of the beneficiaries."""
    spoken = set(interpreter.languages)
    return all(spoken & b.spoken_languages for b in beneficiaries)


def mismatches(
    resources: Iterable[Resource], beneficiaries: Sequence[Beneficiary]
) -> list[tuple[Resource, Beneficiary]]:
    """Every interpreter and beneficiary pair that shares no language."""
    return [
        (interpreter, beneficiary)
        for interpreter in resources
        if interpreter.kind == "interpreter"
        for beneficiary in beneficiaries
        if not set(interpreter.languages) & beneficiary.spoken_languages
    ]


def check_language_match(
    resources: Iterable[Resource],
    beneficiaries: Sequence[Beneficiary],
    override: LanguageOverride,
    field_name: str = "resource_ids",
) -> LanguageOverride:
    """Refuse an interpreter who shares no language with a beneficiary, unless overridden.

    Return the override to store: none when every pair matches, so that a reason is kept only
    where it was needed.
    """
    checked = override.checked()
    found = mismatches(resources, beneficiaries)
    if not found:
        return LanguageOverride()
    if checked.override:
        return checked
    interpreter, beneficiary = found[0]
    raise LanguageMismatch(field_name, interpreter, beneficiary)
