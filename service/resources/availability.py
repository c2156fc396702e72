"""Availability: free slots per resource, and slots where several resources are free together."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.access.access_loaders import check_beneficiaries
from service.access.access_policy import Action, Kind, require
from service.booking import availability, bookings
from service.directory import catalogue
from service.models import Beneficiary
from service.plumbing.db import get_session
from service.plumbing.errors import Invalid
from service.resources.schemas import (
    AvailabilityQuerySchema,
    AvailabilitySchema,
    SuggestionSchema,
)
from service.resources.security import booking_policy, current_principal

blp = Blueprint(
    "availability", __name__, url_prefix="/api/v1/availability", description="Availability"
)


def _beneficiaries(args: dict[str, Any]) -> list[Beneficiary]:
    """The beneficiaries the caller named and may see, for the language rule."""
    ids = args.get("beneficiary_ids") or []
    session = get_session()
    seen = check_beneficiaries(session, current_principal(), ids, "beneficiary_ids")
    return bookings.load_beneficiaries(session, ids, seen)


def _window(args: dict[str, Any]) -> availability.Window:
    return availability.Window(args["start"], args["end"], timedelta(minutes=args["duration"]))


@blp.route("")
class Availability(MethodView):
    @blp.arguments(AvailabilityQuerySchema, location="query")
    @blp.response(200, AvailabilitySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Free slots of `duration` minutes on a 15-minute grid, per matching resource.

        Interpreters come only if they pass the matching rules for `beneficiary_ids` and
        `type` (a shared language, nobody's avoided interpreter, the gender asked for, the
        trainings needed, room within their hour limits on the day), best first by dialect,
        continuity, hours this month and travel, each with its `rank` and `reasons`. Rooms and
        other people follow by id.
        """
        require(current_principal(), Action.LIST, Kind.RESOURCE)
        session = get_session()
        beneficiaries = _beneficiaries(args)
        filters = {k: args.get(k) for k in ("kind", "language", "office", "modality", "speciality")}
        if args.get("kind") == "interpreter":
            filters["speciality"] = None  # asks for the interpreter's training instead
        resources = list(session.scalars(catalogue.query_resources(**filters, for_slots=True)))
        return availability.find_free_slots(
            session,
            resources,
            office_code=args.get("office"),
            modality=args.get("modality") or "in_person",
            window=_window(args),
            policy=booking_policy(),
            beneficiaries=beneficiaries,
            booking_type=args["type"],
            specialities=[args["speciality"]] if args.get("speciality") else [],
        )


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.arguments(AvailabilityQuerySchema, location="query")
    @blp.response(200, SuggestionSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The first `limit` slots in which all of `resource_ids` are free together.

        With `beneficiary_ids`, an interpreter who shares no language with one of them, or
        who breaks their matching rules for `type` (avoided, gender, training), is refused
        (422) as booking refuses them; days where the session would pass an interpreter's hour
        limits offer no slot. Choosing an interpreter is for availability, which ranks them.
        """
        require(current_principal(), Action.LIST, Kind.RESOURCE)
        beneficiaries = _beneficiaries(args)
        ids = args.get("resource_ids") or []
        session = get_session()
        resources = bookings.load_resources(session, ids, "resource_ids") if ids else []
        if not resources:
            raise Invalid("resource_ids", "Name the resources to book together.")
        slots = availability.suggest_slots(
            session,
            resources,
            office_code=args.get("office"),
            modality=args.get("modality") or "in_person",
            window=_window(args),
            policy=booking_policy(),
            limit=args["limit"],
            beneficiaries=beneficiaries,
            booking_type=args["type"],
        )
        return [
            {"resource_ids": ids, "starts_at": s.starts_at, "ends_at": s.ends_at} for s in slots
        ]
