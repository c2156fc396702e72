"""The "Interpreter needs" section of a beneficiary's page: its forms and what it shows.

Shown only to who may read the beneficiary's needs (admins, coordinators of their offices).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from service.access.access_facts import beneficiary_facts
from service.access.access_policy import Action, Kind, allows
from service.access.auth import Principal
from service.interpreters import interpreter_needs
from service.interpreters.interpreter_pairings import Pairings, upcoming_pairings
from service.interpreters.interpreter_rules import REASON_LENGTH
from service.models import AvoidedInterpreter, Beneficiary, InterpreterNeeds, Resource

GENDER_CHOICES = [
    SelectChoice("", _l("no preference")),
    SelectChoice("female", _l("female")),
    SelectChoice("male", _l("male")),
]


class NeedsForm(FlaskForm):
    gender = SelectField(_l("Interpreter's gender"), choices=GENDER_CHOICES)
    dialect = StringField(
        _l("Dialect (BCP 47 tag, e.g. ar-SY, ar-IQ, ku-Latn)"),
        validators=[Optional(), Length(max=32)],
    )
    child_trained = BooleanField(_l("Needs an interpreter trained for children"))


class AvoidForm(FlaskForm):
    interpreter = SelectField(_l("Interpreter to avoid"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Why (only coordinators of their offices see it)"),
        validators=[DataRequired(), Length(max=REASON_LENGTH)],
    )


class StopAvoidingForm(FlaskForm):
    confirmed = HiddenField()  # "yes" once confirmed on the page


@dataclass(frozen=True)
class Reassign:
    """What still pairs the beneficiary with an interpreter they now avoid."""

    interpreter: str
    pairings: Pairings


@dataclass(frozen=True)
class NeedsSection:
    needs: InterpreterNeeds | None
    avoided: list[AvoidedInterpreter]
    needs_form: NeedsForm
    avoid_form: AvoidForm
    stop_form: StopAvoidingForm
    confirm_stop: AvoidedInterpreter | None = None
    reassign: Reassign | None = None


def may_see_needs(who: Principal, beneficiary: Beneficiary) -> bool:
    return beneficiary.erased_at is None and allows(
        who, Action.READ, Kind.NEEDS, beneficiary_facts(beneficiary)
    )


def interpreter_choices(session: Session) -> list[SelectChoice]:
    """Every interpreter, by name: a beneficiary may meet one of any office by phone."""
    rows = session.execute(
        select(Resource.id, Resource.name)
        .where(Resource.kind == "interpreter")
        .order_by(Resource.name, Resource.id)
    )
    return [SelectChoice(str(rid), name) for rid, name in rows]


def build(
    session: Session,
    beneficiary: Beneficiary,
    *,
    needs_form: NeedsForm | None = None,
    avoid_form: AvoidForm | None = None,
    confirm_stop: int | None = None,
    reassign: int | None = None,
) -> NeedsSection:
    """The section's content; forms not given are filled in from what is recorded."""
    row = interpreter_needs.get_needs_row(session, beneficiary)
    avoided = interpreter_needs.list_avoided(session, beneficiary)
    if needs_form is None:
        needs_form = NeedsForm(formdata=None)
        needs_form.gender.data = (row.gender if row else None) or ""
        needs_form.dialect.data = row.dialect if row else ""
        needs_form.child_trained.data = bool(row and row.child_trained)
    if avoid_form is None:
        avoid_form = AvoidForm(formdata=None)
    avoid_form.interpreter.choices = interpreter_choices(session)
    by_id = {a.resource_id: a for a in avoided}
    again = None
    if reassign is not None and reassign in by_id:
        pairings = upcoming_pairings(session, beneficiary.id, reassign)
        again = Reassign(by_id[reassign].interpreter.name, pairings)
    return NeedsSection(
        needs=row,
        avoided=avoided,
        needs_form=needs_form,
        avoid_form=avoid_form,
        stop_form=StopAvoidingForm(formdata=None),
        confirm_stop=by_id.get(confirm_stop) if confirm_stop is not None else None,
        reassign=again,
    )
