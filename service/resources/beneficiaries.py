"""Beneficiaries: the minimum a booking and a reminder need."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service.access import access_loaders
from service.access.access_facts import beneficiary_facts
from service.access.access_policy import (
    Action,
    Facts,
    Kind,
    list_scope,
    require,
    require_office_changes,
)
from service.access.access_queries import beneficiaries_in
from service.access.auth import Principal
from service.booking.bookings import Actor
from service.directory import beneficiaries
from service.models import Beneficiary
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid
from service.privacy import data_export, erasure
from service.resources.idempotent import idempotent
from service.resources.privacy_schemas import BeneficiaryExportSchema, ErasureSchema
from service.resources.schemas import (
    BeneficiaryCreateSchema,
    BeneficiarySchema,
    BeneficiaryUpdateSchema,
)
from service.resources.security import current_principal

blp = Blueprint(
    "beneficiaries", __name__, url_prefix="/api/v1/beneficiaries", description="Beneficiaries"
)


def load_beneficiary(principal: Principal, beneficiary_id: int, action: Action) -> Beneficiary:
    return access_loaders.load_beneficiary(get_session(), principal, beneficiary_id, action)


def registering_offices(principal: Principal, data: dict[str, Any]) -> list[str]:
    """The offices a new beneficiary belongs to: as named, or a coordinator's only office."""
    if "offices" in data:
        return list(data["offices"])
    if principal.role == "coordinator" and len(principal.offices) == 1:
        return list(principal.offices)
    raise Invalid("offices", "Name the offices the beneficiary belongs to.")


@blp.route("")
class Beneficiaries(MethodView):
    @blp.response(200, BeneficiarySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List the beneficiaries of the caller's offices (all, for admins)."""
        visible = beneficiaries_in(list_scope(current_principal(), Kind.BENEFICIARY))
        session = get_session()
        pagination_parameters.item_count = session.scalar(
            select(func.count(Beneficiary.id)).where(visible)
        )
        return list(
            session.scalars(
                select(Beneficiary)
                .where(visible)
                .order_by(Beneficiary.id)
                .offset(pagination_parameters.first_item)
                .limit(pagination_parameters.page_size)
            )
        )

    @idempotent(blp)
    @blp.arguments(BeneficiaryCreateSchema)
    @blp.response(201, BeneficiarySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a beneficiary in one or more offices (a coordinator's own among them)."""
        principal = current_principal()
        require(principal, Action.CHANGE, Kind.BENEFICIARY)
        data["offices"] = registering_offices(principal, data)
        require(principal, Action.CHANGE, Kind.BENEFICIARY, Facts.of(offices=data["offices"]))
        session = get_session()
        beneficiary = beneficiaries.register_beneficiary(
            session, beneficiaries.BeneficiaryRequest(**data), actor=principal.name
        )
        session.commit()
        return beneficiary


@blp.route("/<int:beneficiary_id>")
class BeneficiaryById(MethodView):
    @blp.response(200, BeneficiarySchema)
    def get(self, beneficiary_id: int) -> Any:
        return load_beneficiary(current_principal(), beneficiary_id, Action.READ)

    @idempotent(blp)
    @blp.arguments(BeneficiaryUpdateSchema)
    @blp.response(200, BeneficiarySchema)
    def patch(self, data: dict[str, Any], beneficiary_id: int) -> Any:
        """Change language, numbers, minor flag, SMS consent, the discreet flag or the offices.

        Every change is audited with before and after and who. Sharing with another office is
        open to a coordinator of an office the beneficiary belongs to; only a coordinator of an
        office (or an admin) takes the beneficiary out of it.
        """
        principal = current_principal()
        beneficiary = load_beneficiary(principal, beneficiary_id, Action.CHANGE)
        if "offices" in data:
            require_office_changes(principal, beneficiary.office_codes, data["offices"])
        session = get_session()
        beneficiaries.update_beneficiary(
            session, beneficiary, beneficiaries.BeneficiaryChanges(**data), actor=principal.name
        )
        session.commit()
        return beneficiary


@blp.route("/<int:beneficiary_id>/erase")
class Erase(MethodView):
    @idempotent(blp)
    @blp.response(200, ErasureSchema)
    @blp.alt_response(409, description="The beneficiary was erased already.")
    def post(self, beneficiary_id: int) -> Any:
        """Erase a beneficiary's personal data everywhere (admins only; cannot be undone).

        The case reference, numbers, consent history, SMS texts and numbers, replies, and every
        copy of the reference or number in notes, reasons, feeds and the audit log's images
        go; queued SMS are cancelled and current enrolments withdrawn. A tombstone keeps the
        language so that bookings and attendance still count in the statistics. The audit
        log records who erased, when, and what was changed, in counts. A second erasure is
        refused with 409.
        """
        principal = current_principal()
        require(principal, Action.CHANGE, Kind.ERASURE)
        load_beneficiary(principal, beneficiary_id, Action.READ)
        session = get_session()
        result = erasure.erase_beneficiary(session, beneficiary_id, Actor(principal.name))
        session.commit()
        return result


@blp.route("/<int:beneficiary_id>/export")
class Export(MethodView):
    @blp.response(200, BeneficiaryExportSchema)
    def get(self, beneficiary_id: int) -> Any:
        """Everything kept about one beneficiary, times in Europe/Sofia (a subject access request).

        Admins may export anyone; a coordinator a beneficiary of one of their offices. The
        subject's own numbers and messages are shown in full; other people never.
        """
        principal = current_principal()
        beneficiary = load_beneficiary(principal, beneficiary_id, Action.READ)
        require(principal, Action.READ, Kind.EXPORT, beneficiary_facts(beneficiary))
        return data_export.export_beneficiary(get_session(), beneficiary_id)
