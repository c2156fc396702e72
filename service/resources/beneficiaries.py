"""Beneficiaries: the minimum a booking and a reminder need."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service import beneficiaries, data_export, erasure
from service.auth import require_role
from service.bookings import Actor
from service.db import get_session
from service.models import Beneficiary
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


def _coordinators() -> None:
    require_role(current_principal(), "admin", "coordinator")


@blp.route("")
class Beneficiaries(MethodView):
    @blp.response(200, BeneficiarySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        _coordinators()
        session = get_session()
        pagination_parameters.item_count = session.scalar(select(func.count(Beneficiary.id)))
        return list(
            session.scalars(
                select(Beneficiary)
                .order_by(Beneficiary.id)
                .offset(pagination_parameters.first_item)
                .limit(pagination_parameters.page_size)
            )
        )

    @blp.arguments(BeneficiaryCreateSchema)
    @blp.response(201, BeneficiarySchema)
    def post(self, data: dict[str, Any]) -> Any:
        _coordinators()
        session = get_session()
        beneficiary = beneficiaries.register_beneficiary(
            session, beneficiaries.BeneficiaryRequest(**data), actor=current_principal().name
        )
        session.commit()
        return beneficiary


@blp.route("/<int:beneficiary_id>")
class BeneficiaryById(MethodView):
    @blp.response(200, BeneficiarySchema)
    def get(self, beneficiary_id: int) -> Any:
        _coordinators()
        return beneficiaries.get_beneficiary(get_session(), beneficiary_id)

    @blp.arguments(BeneficiaryUpdateSchema)
    @blp.response(200, BeneficiarySchema)
    def patch(self, data: dict[str, Any], beneficiary_id: int) -> Any:
        """Change SMS consent (its date is recorded) or the discreet flag."""
        _coordinators()
        session = get_session()
        beneficiary = beneficiaries.get_beneficiary(session, beneficiary_id)
        if "sms_consent" in data:
            beneficiaries.set_sms_consent(
                session, beneficiary, data["sms_consent"], actor=current_principal().name
            )
        if "discreet" in data:
            beneficiaries.set_discreet(session, beneficiary, data["discreet"])
        session.commit()
        return beneficiary


@blp.route("/<int:beneficiary_id>/erase")
class Erase(MethodView):
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
        require_role(principal, "admin")
        session = get_session()
        result = erasure.erase_beneficiary(session, beneficiary_id, Actor(principal.name))
        session.commit()
        return result


@blp.route("/<int:beneficiary_id>/export")
class Export(MethodView):
    @blp.response(200, BeneficiaryExportSchema)
    def get(self, beneficiary_id: int) -> Any:
        """Everything kept about one beneficiary, times in Europe/Sofia (a subject access request).

        Admins may export anyone; a coordinator a beneficiary booked or enrolled in one of
        their offices. Numbers and message texts are shown in full.
        """
        principal = current_principal()
        session = get_session()
        beneficiaries.get_beneficiary(session, beneficiary_id)
        data_export.authorize_export(session, principal, beneficiary_id)
        return data_export.export_beneficiary(session, beneficiary_id)
