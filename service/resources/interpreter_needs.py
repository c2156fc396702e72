"""A beneficiary's interpreter needs and the interpreters they avoid (protection data).

Only admins and coordinators of the beneficiary's offices reach these; everyone else is
answered 404, as if the beneficiary did not exist.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.access import access_loaders
from service.access.access_policy import Action
from service.interpreters import interpreter_needs
from service.interpreters.interpreter_pairings import upcoming_pairings
from service.models import Beneficiary
from service.plumbing.db import get_session
from service.resources.needs_schemas import (
    AvoidedSchema,
    AvoidRecordedSchema,
    AvoidSchema,
    NeedsSchema,
    NeedsUpdateSchema,
)
from service.resources.security import current_principal

blp = Blueprint(
    "interpreter_needs",
    __name__,
    url_prefix="/api/v1/beneficiaries",
    description="A beneficiary's interpreter needs and the interpreters they avoid",
)


def _load(beneficiary_id: int, action: Action) -> Beneficiary:
    return access_loaders.load_needs_of(get_session(), current_principal(), beneficiary_id, action)


def _needs(beneficiary: Beneficiary) -> dict[str, Any]:
    row = interpreter_needs.get_needs_row(get_session(), beneficiary)
    return {
        "beneficiary_id": beneficiary.id,
        "gender": row.gender if row else None,
        "dialect": row.dialect if row else None,
        "child_trained": row.child_trained if row else False,
        "language": beneficiary.language,
        "other_languages": beneficiary.other_languages,
        "updated_by": row.updated_by if row else None,
        "updated_at": row.updated_at if row else None,
    }


@blp.route("/<int:beneficiary_id>/interpreter-needs")
class Needs(MethodView):
    @blp.response(200, NeedsSchema)
    def get(self, beneficiary_id: int) -> Any:
        """What the beneficiary needs of an interpreter; other languages are shown read-only."""
        return _needs(_load(beneficiary_id, Action.READ))

    @blp.arguments(NeedsUpdateSchema)
    @blp.response(200, NeedsSchema)
    def put(self, data: dict[str, Any], beneficiary_id: int) -> Any:
        """Replace the gender asked for, the dialect and the need of a child-trained interpreter.

        Audited with who, before and after.
        """
        beneficiary = _load(beneficiary_id, Action.CHANGE)
        change = interpreter_needs.NeedsChange(**data)
        session = get_session()
        interpreter_needs.set_needs(session, beneficiary, change, current_principal().name)
        session.commit()
        return _needs(beneficiary)


@blp.route("/<int:beneficiary_id>/avoided-interpreters")
class Avoided(MethodView):
    @blp.response(200, AvoidedSchema(many=True))
    def get(self, beneficiary_id: int) -> Any:
        """The interpreters the beneficiary must never be booked with, and why."""
        return interpreter_needs.list_avoided(get_session(), _load(beneficiary_id, Action.READ))


@blp.route("/<int:beneficiary_id>/avoided-interpreters/<int:interpreter_id>")
class AvoidedOne(MethodView):
    @blp.arguments(AvoidSchema)
    @blp.response(200, AvoidRecordedSchema)
    def put(self, data: dict[str, Any], beneficiary_id: int, interpreter_id: int) -> Any:
        """Record (or reword) that the beneficiary avoids this interpreter, with a reason.

        The answer lists the beneficiary's upcoming bookings and enrolments that still pair
        them with the interpreter, to reassign: nothing is cancelled. The audit keeps who and
        which interpreter, never the reason.
        """
        beneficiary = _load(beneficiary_id, Action.CHANGE)
        session = get_session()
        row = interpreter_needs.avoid_interpreter(
            session, beneficiary, interpreter_id, data["reason"], current_principal().name
        )
        pairings = upcoming_pairings(session, beneficiary.id, interpreter_id)
        session.commit()
        return {
            "avoided": row,
            "to_reassign_bookings": pairings.bookings,
            "to_reassign_enrolments": pairings.enrolments,
        }

    @blp.response(204)
    def delete(self, beneficiary_id: int, interpreter_id: int) -> None:
        """Take the interpreter off the beneficiary's avoid list (audited)."""
        beneficiary = _load(beneficiary_id, Action.CHANGE)
        session = get_session()
        interpreter_needs.stop_avoiding(
            session, beneficiary, interpreter_id, current_principal().name
        )
        session.commit()
