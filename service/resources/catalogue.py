"""Resources (rooms, interpreters, counsellors, teachers) and their time off."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from service.access.access_facts import resource_facts
from service.access.access_policy import Action, Kind, require
from service.directory import catalogue
from service.models import TimeOff
from service.plumbing.db import get_session
from service.resources.schemas import (
    InterpreterOfferSchema,
    ResourceCreateSchema,
    ResourceQuerySchema,
    ResourceSchema,
    TimeOffCreateSchema,
    TimeOffSchema,
)
from service.resources.security import current_principal

blp = Blueprint("resources", __name__, url_prefix="/api/v1/resources", description="Resources")


@blp.route("")
class Resources(MethodView):
    @blp.arguments(ResourceQuerySchema, location="query")
    @blp.response(200, ResourceSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Any:
        """List bookable resources; `language=fa` never matches Dari (`prs`)."""
        require(current_principal(), Action.LIST, Kind.RESOURCE)
        session = get_session()
        query = catalogue.query_resources(**filters)
        pagination_parameters.item_count = session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        page = query.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
        return list(session.scalars(page))

    @blp.arguments(ResourceCreateSchema)
    @blp.response(201, ResourceSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a room or a person (admin)."""
        require(current_principal(), Action.CHANGE, Kind.RESOURCE)
        hours = [catalogue.HoursSpec(**h) for h in data.pop("working_hours")]
        resource = catalogue.create_resource(
            get_session(), catalogue.ResourceSpec(working_hours=hours, **data)
        )
        get_session().commit()
        return resource


@blp.route("/<int:resource_id>")
class ResourceById(MethodView):
    @blp.response(200, ResourceSchema)
    def get(self, resource_id: int) -> Any:
        require(current_principal(), Action.READ, Kind.RESOURCE)
        return catalogue.get_resource(get_session(), resource_id)


@blp.route("/<int:resource_id>/interpreter-offer")
class InterpreterOffer(MethodView):
    @blp.arguments(InterpreterOfferSchema)
    @blp.response(200, ResourceSchema)
    def put(self, data: dict[str, Any], resource_id: int) -> Any:
        """Replace an interpreter's gender, dialects, trainings and hour limits (admin; audited).

        A field left out is cleared; limits and limited types left out follow the settings.
        """
        principal = current_principal()
        require(principal, Action.CHANGE, Kind.RESOURCE)
        session = get_session()
        resource = catalogue.change_interpreter_offer(session, resource_id, data, principal.name)
        session.commit()
        return resource


def _may_manage_time_off(resource_id: int, action: Action) -> str:
    """Allow the person themselves, coordinators of an office they work for, and admins."""
    principal = current_principal()
    require(principal, action, Kind.TIME_OFF)
    resource = catalogue.get_resource(get_session(), resource_id)
    require(principal, action, Kind.TIME_OFF, resource_facts(resource))
    return principal.name


@blp.route("/<int:resource_id>/time-off")
class TimeOffView(MethodView):
    @blp.response(200, TimeOffSchema(many=True))
    @blp.paginate()
    def get(self, resource_id: int, pagination_parameters: Any) -> Any:
        """List a person's time off."""
        _may_manage_time_off(resource_id, Action.LIST)
        session = get_session()
        query = select(TimeOff).where(TimeOff.resource_id == resource_id)
        pagination_parameters.item_count = session.scalar(
            select(func.count()).select_from(query.subquery())
        )
        return list(
            session.scalars(
                query.order_by(TimeOff.starts_at)
                .offset(pagination_parameters.first_item)
                .limit(pagination_parameters.page_size)
            )
        )

    @blp.arguments(TimeOffCreateSchema)
    @blp.response(201, TimeOffSchema)
    def post(self, data: dict[str, Any], resource_id: int) -> Any:
        """Enter time off, by the person themselves or a coordinator."""
        actor = _may_manage_time_off(resource_id, Action.CHANGE)
        session = get_session()
        resource = catalogue.get_resource(session, resource_id)
        time_off = catalogue.add_time_off(
            session, resource, data["starts_at"], data["ends_at"], data.get("reason"), actor
        )
        session.commit()
        return time_off
