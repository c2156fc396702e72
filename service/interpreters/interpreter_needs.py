"""A beneficiary's needs of an interpreter and the interpreters they avoid: load and record.

Coordinators of the beneficiary's offices record these (the resources and console ask the
access policy first); every change is audited. The audit keeps which interpreter was avoided
but never the reason, which stays in one row that erasure removes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from service.booking.audit import record_change
from service.directory.beneficiaries import refuse_erased
from service.directory.languages import check_dialect
from service.interpreters.interpreter_rules import REASON_LENGTH, Needs
from service.models import AvoidedInterpreter, Beneficiary, InterpreterNeeds, Resource
from service.models.resource import GENDERS
from service.plumbing.clock import utcnow
from service.plumbing.errors import Invalid, NotFound


@dataclass(frozen=True)
class NeedsChange:
    """What a coordinator says a beneficiary needs; None for gender or dialect: no preference."""

    gender: str | None = None
    dialect: str | None = None
    child_trained: bool = False


def load_needs(session: Session, beneficiaries: Sequence[Beneficiary]) -> list[Needs]:
    """The needs of these beneficiaries, in their order, in two queries (none when empty or
    loaded with them)."""
    if not beneficiaries:
        return []
    if all(not inspect(b).unloaded & {"needs_row", "avoided_rows"} for b in beneficiaries):
        return [  # loaded with them (bookings.WITH_BOOKING_FACTS): no query
            _needs(b, b.needs_row, {row.resource_id for row in b.avoided_rows})
            for b in beneficiaries
        ]
    ids = [b.id for b in beneficiaries]
    rows = {
        row.beneficiary_id: row
        for row in session.scalars(
            select(InterpreterNeeds).where(InterpreterNeeds.beneficiary_id.in_(ids))
        )
    }
    avoided: dict[int, set[int]] = defaultdict(set)
    for beneficiary_id, resource_id in session.execute(
        select(AvoidedInterpreter.beneficiary_id, AvoidedInterpreter.resource_id).where(
            AvoidedInterpreter.beneficiary_id.in_(ids)
        )
    ):
        avoided[beneficiary_id].add(resource_id)
    return [_needs(b, rows.get(b.id), avoided[b.id]) for b in beneficiaries]


def _needs(beneficiary: Beneficiary, row: InterpreterNeeds | None, avoided: set[int]) -> Needs:
    return Needs(
        beneficiary_id=beneficiary.id,
        case_reference=beneficiary.case_reference,
        gender=row.gender if row else None,
        dialect=row.dialect if row else None,
        child_trained=row.child_trained if row else False,
        avoided=frozenset(avoided),
    )


def get_needs_row(session: Session, beneficiary: Beneficiary) -> InterpreterNeeds | None:
    return session.get(InterpreterNeeds, beneficiary.id)


def list_avoided(session: Session, beneficiary: Beneficiary) -> list[AvoidedInterpreter]:
    """The interpreters this beneficiary avoids, by name."""
    return list(
        session.scalars(
            select(AvoidedInterpreter)
            .join(Resource, AvoidedInterpreter.resource_id == Resource.id)
            .where(AvoidedInterpreter.beneficiary_id == beneficiary.id)
            .order_by(Resource.name)
        )
    )


def set_needs(
    session: Session, beneficiary: Beneficiary, change: NeedsChange, actor: str
) -> InterpreterNeeds:
    """Record what the beneficiary needs of an interpreter, replacing what was recorded."""
    refuse_erased(beneficiary)
    if change.gender is not None and change.gender not in GENDERS:
        raise Invalid("gender", f"One of {', '.join(GENDERS)}, or none for no preference.")
    dialect = check_dialect("dialect", change.dialect) if change.dialect else None
    row = session.get(InterpreterNeeds, beneficiary.id)
    before = _needs_image(row)
    if row is None:
        row = InterpreterNeeds(beneficiary_id=beneficiary.id)
        session.add(row)
    row.gender, row.dialect, row.child_trained = change.gender, dialect, change.child_trained
    row.updated_by, row.updated_at = actor, utcnow()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="set_interpreter_needs",
        entity="beneficiary",
        entity_id=beneficiary.id,
        before=before,
        after=_needs_image(row),
    )
    return row


def avoid_interpreter(
    session: Session, beneficiary: Beneficiary, interpreter_id: int, reason: str, actor: str
) -> AvoidedInterpreter:
    """Record that the beneficiary must never be booked with this interpreter, and why."""
    refuse_erased(beneficiary)
    interpreter = session.get(Resource, interpreter_id)
    if interpreter is None or interpreter.kind != "interpreter":
        raise Invalid("interpreter_id", f"No interpreter with id {interpreter_id}.")
    reason = reason.strip()
    if not reason:
        raise Invalid("reason", "Say why, for the coordinators who book.")
    if len(reason) > REASON_LENGTH:
        raise Invalid("reason", f"At most {REASON_LENGTH} characters.")
    row = session.get(AvoidedInterpreter, (beneficiary.id, interpreter_id))
    if row is None:
        row = AvoidedInterpreter(beneficiary_id=beneficiary.id, resource_id=interpreter_id)
        session.add(row)
    row.reason, row.recorded_by, row.recorded_at = reason, actor, utcnow()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="avoid_interpreter",
        entity="beneficiary",
        entity_id=beneficiary.id,
        before=None,
        after={"interpreter_id": interpreter_id},
    )
    return row


def stop_avoiding(
    session: Session, beneficiary: Beneficiary, interpreter_id: int, actor: str
) -> None:
    """Remove an interpreter from the beneficiary's avoid list."""
    row = session.get(AvoidedInterpreter, (beneficiary.id, interpreter_id))
    if row is None:
        raise NotFound(f"Interpreter {interpreter_id} is not on this avoid list.")
    session.delete(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="stop_avoiding_interpreter",
        entity="beneficiary",
        entity_id=beneficiary.id,
        before={"interpreter_id": interpreter_id},
        after=None,
    )


def _needs_image(row: InterpreterNeeds | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {"gender": row.gender, "dialect": row.dialect, "child_trained": row.child_trained}
