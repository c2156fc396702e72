"""The matching rules between interpreters and beneficiaries, as pure functions.

Humanitarian interpreting asks more than a shared language (UNHCR and IOM guidance):

* **avoided**: a beneficiary may name interpreters they must never meet (the same village,
  the other side of a conflict, a link to a trafficker). Never overridden.
* **gender**: a beneficiary may ask for a female or a male interpreter.
* **training**: a child needs a child-trained interpreter; a psychological or legal counselling
  session needs an interpreter trained for it.
* **hours_day** and **hours_week**: an interpreter does at most so many hours of trauma-heavy
  sessions (the limited types) a day and a week.

The last four may be overridden by a coordinator with a reason, which is stored on the
booking and audited. The operations that load the facts and refuse a booking live in
`service/interpreters/interpreter_checks.py`; this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from service.booking.policy import BookingPolicy
from service.models import Resource
from service.plumbing.errors import Invalid

AVOIDED = "avoided"
GENDER = "gender"
TRAINING = "training"
HOURS_DAY = "hours_day"
HOURS_WEEK = "hours_week"
OVERRIDABLE = (GENDER, TRAINING, HOURS_DAY, HOURS_WEEK)
REASON_LENGTH = 500

# The training a counselling session of a counsellor's speciality asks of its interpreter.
TRAINING_FOR_SPECIALITY = {"psychological": "psychological", "legal": "legal_procedure"}


@dataclass(frozen=True)
class Needs:
    """What one beneficiary needs of an interpreter (no preference when nothing is set)."""

    beneficiary_id: int
    case_reference: str
    gender: str | None = None
    dialect: str | None = None
    child_trained: bool = False
    avoided: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Breach:
    """One rule an interpreter breaks for a booking; `params` say how, for the message."""

    rule: str
    interpreter_id: int
    interpreter_name: str
    beneficiary_reference: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def overridable(self) -> bool:
        return self.rule in OVERRIDABLE

    def message(self) -> str:
        who, ref = f"Interpreter {self.interpreter_name}", self.beneficiary_reference
        if self.rule == AVOIDED:
            return f"{who} is on the avoid list of beneficiary {ref}; choose another interpreter."
        if self.rule == GENDER:
            return f"Beneficiary {ref} asked for a {self.params['gender']} interpreter."
        if self.rule == TRAINING:
            return f"{who} is not trained for {self.params['training'].replace('_', ' ')}."
        period = "a day" if self.rule == HOURS_DAY else "a week"
        return (
            f"{who} would do {self.params['hours']:g} hours of {', '.join(self.params['types'])} "
            f"sessions in {period}; the limit is {self.params['limit']}."
        )


@dataclass(frozen=True)
class HourLimits:
    """How many hours of sessions of `types` an interpreter may do in a day and in a week."""

    per_day: int
    per_week: int
    types: frozenset[str]

    @classmethod
    def of(cls, interpreter: Resource, policy: BookingPolicy) -> HourLimits:
        """The interpreter's own limits where set, the policy's defaults elsewhere."""
        types = interpreter.limited_type_list
        return cls(
            per_day=interpreter.max_hours_day or policy.interpreter_hours_day,
            per_week=interpreter.max_hours_week or policy.interpreter_hours_week,
            types=policy.interpreter_limited_types if types is None else frozenset(types),
        )


@dataclass(frozen=True)
class BookedMinutes:
    """Minutes of limited-type sessions an interpreter already holds that day and that week."""

    day: int = 0
    week: int = 0


class InterpreterRuleBroken(Invalid):
    """A booking breaks a matching rule; the console words it from the code and params."""

    def __init__(self, field_name: str, breach: Breach) -> None:
        hint = (
            " Set interpreter_override with a reason to book anyway." if breach.overridable else ""
        )
        super().__init__(field_name, breach.message() + hint)
        self.breach = breach
        self.coded(
            f"interpreter_{breach.rule}",
            interpreter=breach.interpreter_name,
            beneficiary=breach.beneficiary_reference,
            **breach.params,
        )


@dataclass(frozen=True)
class InterpreterOverride:
    """A request to book despite the overridable rules; `reason` is required when `override`."""

    override: bool = False
    reason: str | None = None

    def checked(self) -> InterpreterOverride:
        """Return the override with its reason trimmed, refusing an override without one."""
        reason = (self.reason or "").strip() or None
        if not self.override:
            if reason is not None:
                raise Invalid(
                    "interpreter_override_reason", "Give a reason only with interpreter_override."
                )
            return InterpreterOverride()
        if reason is None:
            raise Invalid(
                "interpreter_override_reason", "Say why the interpreter rules are overridden."
            )
        if len(reason) > REASON_LENGTH:
            raise Invalid("interpreter_override_reason", f"At most {REASON_LENGTH} characters.")
        return InterpreterOverride(True, reason)


@dataclass(frozen=True)
class Overridden:
    """What a booking stores: the rules it was allowed to break, and why (None: none)."""

    rules: str | None = None
    reason: str | None = None


def required_trainings(
    booking_type: str, specialities: Iterable[str], needs: Iterable[Needs]
) -> frozenset[str]:
    """The trainings an interpreter needs for this booking: by its kind and who attends."""
    wanted = set()
    if booking_type == "counselling":
        wanted |= {TRAINING_FOR_SPECIALITY[s] for s in specialities if s in TRAINING_FOR_SPECIALITY}
    if any(n.child_trained for n in needs):
        wanted.add("children")
    return frozenset(wanted)


def person_breaches(
    interpreter: Resource, needs: Sequence[Needs], required: frozenset[str]
) -> list[Breach]:
    """The avoid, gender and training rules this interpreter breaks, worst first."""
    found = [
        Breach(AVOIDED, interpreter.id, interpreter.name, n.case_reference)
        for n in needs
        if interpreter.id in n.avoided
    ]
    found += [
        Breach(GENDER, interpreter.id, interpreter.name, n.case_reference, {"gender": n.gender})
        for n in needs
        if n.gender is not None and interpreter.gender != n.gender
    ]
    found += [
        Breach(TRAINING, interpreter.id, interpreter.name, None, {"training": training})
        for training in sorted(required - set(interpreter.trainings))
    ]
    return found


def hour_breaches(
    interpreter: Resource,
    limits: HourLimits,
    booked: BookedMinutes,
    booking_type: str,
    duration: timedelta,
) -> list[Breach]:
    """The hour limits a new session of `booking_type` lasting `duration` would pass."""
    if booking_type not in limits.types:
        return []
    minutes = duration / timedelta(minutes=1)
    found = []
    for rule, already, limit in (
        (HOURS_DAY, booked.day, limits.per_day),
        (HOURS_WEEK, booked.week, limits.per_week),
    ):
        if already + minutes > limit * 60:
            params = {
                "hours": (already + minutes) / 60,
                "limit": limit,
                "types": sorted(limits.types),
            }
            found.append(Breach(rule, interpreter.id, interpreter.name, None, params))
    return found


def decide(
    breaches: Sequence[Breach], override: InterpreterOverride, field_name: str = "resource_ids"
) -> Overridden:
    """Refuse a booking that breaks a rule, unless every broken rule may be and is overridden.

    Return what to store on the booking: nothing when no rule is broken, so that a reason is
    kept only where it was needed.
    """
    checked = override.checked()
    never = [b for b in breaches if not b.overridable]
    if never:
        raise InterpreterRuleBroken(field_name, never[0])
    if not breaches:
        return Overridden()
    if not checked.override:
        raise InterpreterRuleBroken(field_name, breaches[0])
    rules = sorted({b.rule for b in breaches}, key=OVERRIDABLE.index)
    return Overridden(",".join(rules), checked.reason)
