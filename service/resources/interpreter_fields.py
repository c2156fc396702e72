"""Fields of the interpreter override, shared by the booking, series and enrolment schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from service.interpreters.interpreter_rules import InterpreterOverride
from service.resources.fields import Text

_OVERRIDE_HELP = (
    "Book despite a beneficiary's interpreter gender preference, a required training "
    "(children, psychological, legal procedure) or an interpreter's hour limit (audited); "
    "needs interpreter_override_reason. An avoided interpreter is refused all the same."
)


def interpreter_override(help_text: str = _OVERRIDE_HELP, **extra: Any) -> fields.Boolean:
    return fields.Boolean(metadata={"description": help_text}, **extra)


def interpreter_override_reason(**extra: Any) -> Text:
    return Text(
        validate=validate.Length(min=1, max=500),
        allow_none=True,
        metadata={"description": "Why the interpreter rules are overridden."},
        **extra,
    )


def override_rules(value: str | None) -> list[str]:
    """The rules a booking or enrolment was allowed to break, as a list."""
    return value.split(",") if value else []


class OverriddenRules(fields.Function):
    """The interpreter rules overridden (`gender`, `training`, `hours_day`, `hours_week`)."""

    def __init__(self, **extra: Any) -> None:
        super().__init__(
            lambda row: override_rules(row.interpreter_override_rules),
            metadata={
                "description": "The interpreter rules overridden: gender, training, hours_day, "
                "hours_week (shown to coordinators of the office and admins only)."
            },
            **extra,
        )


def requested_override(data: dict[str, Any]) -> InterpreterOverride | None:
    """The override a move asks for; None when it asks none (the booking keeps its own)."""
    if "interpreter_override" not in data and "interpreter_override_reason" not in data:
        return None
    return InterpreterOverride(
        data.get("interpreter_override", False), data.get("interpreter_override_reason")
    )
