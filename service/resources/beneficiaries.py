"""Beneficiaries: the minimum a booking and a reminder need."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service import beneficiaries
from service.auth import require_role
from service.db import get_session
from service.models import Beneficiary
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
