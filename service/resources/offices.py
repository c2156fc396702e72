"""Offices: read-only list of the three offices with hours and closures."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service.db import get_session
from service.models import Office
from service.resources.schemas import OfficeSchema
from service.resources.security import current_principal

blp = Blueprint("offices", __name__, url_prefix="/api/v1/offices", description="Offices")


@blp.route("")
class Offices(MethodView):
    @blp.response(200, OfficeSchema(many=True))
    def get(self) -> Any:
        """List the offices with their opening hours and closures."""
        current_principal()
        return get_session().scalars(
            select(Office)
            .options(selectinload(Office.opening_hours), selectinload(Office.closures))
            .order_by(Office.id)
        )
