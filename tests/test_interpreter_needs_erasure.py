"""A beneficiary's interpreter needs and avoided interpreters: in their export, gone on erasure."""

from __future__ import annotations

from sqlalchemy import func, select

from service.models import AuditEntry, AvoidedInterpreter, InterpreterNeeds, Resource
from service.privacy.erasure import preview_erasure


def recorded(factory):
    feared = factory.interpreter("ar", offices=("sofia",))
    other = factory.interpreter("ar", offices=("sofia",))
    person = factory.needs(
        factory.beneficiary(),
        gender="female",
        dialect="ar-SY",
        child_trained=True,
        avoid=(feared, other),
    )
    return person, feared, other


def test_the_export_holds_the_needs_and_the_avoided_interpreters_with_names_and_reasons(
    client, factory, admin
):
    person, feared, other = recorded(factory)

    export = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin).json

    assert export["interpreter_needs"] | {"updated_at": None} == {
        "gender": "female",
        "dialect": "ar-SY",
        "child_trained": True,
        "updated_at": None,
    }
    assert [
        (a["interpreter_id"], a["interpreter_name"], a["reason"])
        for a in export["avoided_interpreters"]
    ] == sorted(
        [(feared.id, feared.name, "known from home"), (other.id, other.name, "known from home")],
        key=lambda row: row[1],
    )


def test_an_export_without_needs_says_so(client, factory, admin):
    person = factory.beneficiary()

    export = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin).json

    assert export["interpreter_needs"] is None
    assert export["avoided_interpreters"] == []


def test_erasure_deletes_needs_and_avoided_interpreters_and_blanks_their_audit(
    client, factory, session, admin
):
    person, feared, _other = recorded(factory)
    preview = preview_erasure(session, person.id)

    done = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin).json

    assert (preview.interpreter_needs_deleted, preview.avoided_interpreters_deleted) == (1, 2)
    assert done["interpreter_needs_deleted"] == 1
    assert done["avoided_interpreters_deleted"] == 2
    session.expire_all()
    assert session.get(InterpreterNeeds, person.id) is None
    left = session.scalar(
        select(func.count())
        .select_from(AvoidedInterpreter)
        .where(AvoidedInterpreter.beneficiary_id == person.id)
    )
    assert left == 0
    assert session.get(Resource, feared.id) is not None  # the interpreter stays
    images = session.execute(
        select(AuditEntry.action, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.entity == "beneficiary",
            AuditEntry.entity_id == person.id,
            AuditEntry.action.in_(("set_interpreter_needs", "avoid_interpreter")),
        )
    ).all()
    assert len(images) == 3
    assert all(before is None and after is None for _a, before, after in images)
    export = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin).json
    assert export["interpreter_needs"] is None and export["avoided_interpreters"] == []
